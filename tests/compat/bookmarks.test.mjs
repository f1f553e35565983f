// Channel bookmarks, post reminders, post info and thread read state with the official client:
// createChannelBookmark, getChannelBookmarks, updateChannelBookmark,
// updateChannelBookmarkSortOrder, deleteChannelBookmark, addPostReminder (Client4 11.9's name
// for setPostReminder), getPostInfo, markThreadAsUnreadForUser, and the thread mention counts
// (Client4 11.9 dropped getThreadMentionCountsByChannel; its route is called through doFetch).
// run.sh checks for due reminders every second.

import assert from 'node:assert/strict';
import {before, describe, it} from 'node:test';

import {adminClient, expectClientError, newClient, uniqueName} from './support.mjs';

const PASSWORD = 'marks-Passw0rd!';

async function member(admin, team, prefix) {
    const username = uniqueName(prefix);
    const created = await admin.createUser({username, email: `${username}@example.com`, password: PASSWORD});
    await admin.addToTeam(team.id, created.id);
    const client = newClient();
    const me = await client.login(username, PASSWORD);
    return {client, me};
}

describe('bookmarks, reminders, post info and threads through Client4', () => {
    let admin;
    let user;
    let me;
    let other;
    let team;
    let channel;

    before(async () => {
        admin = await adminClient();
        team = await admin.createTeam({name: uniqueName('markteam'), display_name: 'Marks', type: 'O'});
        ({client: user, me} = await member(admin, team, 'marks'));
        ({client: other} = await member(admin, team, 'marksb'));
        channel = await user.createChannel({team_id: team.id, name: uniqueName('markchan'), display_name: 'Marked', type: 'O'});
    });

    it('creates, lists, edits, sorts and deletes channel bookmarks', async () => {
        const docs = await user.createChannelBookmark(channel.id, {display_name: 'Docs', type: 'link', link_url: 'https://example.com/docs', emoji: ':books:'}, '');
        const wiki = await user.createChannelBookmark(channel.id, {display_name: 'Wiki', type: 'link', link_url: 'https://example.com/wiki'}, '');
        assert.equal(docs.owner_id, me.id);
        assert.equal(docs.channel_id, channel.id);
        assert.deepEqual([docs.sort_order, wiki.sort_order], [0, 1]);

        const listed = await user.getChannelBookmarks(channel.id);
        assert.deepEqual(listed.map((b) => b.id), [docs.id, wiki.id]);

        const {updated, deleted} = await user.updateChannelBookmark(channel.id, docs.id, {display_name: 'Docs v2'}, '');
        assert.equal(updated.id, docs.id);
        assert.equal(updated.display_name, 'Docs v2');
        assert.equal(deleted, undefined);

        const sorted = await user.updateChannelBookmarkSortOrder(channel.id, wiki.id, 0, '');
        assert.deepEqual(sorted.map((b) => [b.id, b.sort_order]), [[wiki.id, 0], [docs.id, 1]]);

        const gone = await user.deleteChannelBookmark(channel.id, docs.id, '');
        assert.equal(gone.id, docs.id);
        assert.ok(gone.delete_at > 0);
        assert.deepEqual((await user.getChannelBookmarks(channel.id)).map((b) => b.id), [wiki.id]);
        const since = await user.getChannelBookmarks(channel.id, gone.delete_at);
        assert.ok(since.some((b) => b.id === docs.id && b.delete_at > 0));

        // Not a member of the channel: reads, cannot add.
        assert.equal((await other.getChannelBookmarks(channel.id)).length, 1);
        await expectClientError(
            other.createChannelBookmark(channel.id, {display_name: 'x', type: 'link', link_url: 'https://example.com'}, ''),
            403, 'api.context.permissions.app_error');
        await expectClientError(
            user.createChannelBookmark(channel.id, {display_name: 'x', type: 'link', link_url: 'not a url'}, ''),
            400, 'model.channel_bookmark.is_valid.link_url.missing_or_invalid.app_error');
    });

    it('answers post info', async () => {
        const post = await user.createPost({channel_id: channel.id, message: 'where am I'});
        const info = await other.getPostInfo(post.id);
        assert.deepEqual(info, {
            channel_id: channel.id,
            channel_type: 'O',
            channel_display_name: 'Marked',
            has_joined_channel: false,
            team_id: team.id,
            team_type: 'O',
            team_display_name: 'Marks',
            has_joined_team: true,
        });
        await expectClientError(user.getPostInfo('a'.repeat(26)), 404, 'app.post.get.app_error');
    });

    it('sends a due post reminder from the system bot', async () => {
        const post = await user.createPost({channel_id: channel.id, message: 'remind me'});
        assert.deepEqual(await user.addPostReminder(me.id, post.id, Math.floor(Date.now() / 1000) - 1), {status: 'OK'});
        let reminder;
        for (let i = 0; i < 50 && !reminder; i++) {
            const channels = await user.getMyChannels(team.id);
            for (const dm of channels.filter((c) => c.type === 'D')) {
                const {posts} = await user.getPosts(dm.id);
                reminder = Object.values(posts).find((p) => p.type === 'reminder' && p.props.post_id === post.id);
            }
            if (!reminder) {
                await new Promise((resolve) => setTimeout(resolve, 200));
            }
        }
        assert.ok(reminder, 'the reminder arrived');
        assert.equal(reminder.props.username, me.username);
        assert.equal(reminder.props.team_name, team.name);
        assert.match(reminder.message, new RegExp(`here's your reminder about this message from @${me.username}: .*/${team.name}/pl/${post.id}$`));
        await expectClientError(other.addPostReminder(me.id, post.id, 1), 403, 'api.context.permissions.app_error');
    });

    it('marks a thread unread from a reply and counts its mentions per channel', async () => {
        const root = await user.createPost({channel_id: channel.id, message: 'thread root'});
        const reply = await admin.createPost({channel_id: channel.id, root_id: root.id, message: `@${me.username} have a look`});
        await user.updateThreadReadForUser(me.id, team.id, root.id, Date.now());

        const thread = await user.markThreadAsUnreadForUser(me.id, team.id, root.id, reply.id);
        assert.equal(thread.id, root.id);
        assert.equal(thread.unread_replies, 1);
        assert.equal(thread.unread_mentions, 1);
        assert.equal(thread.last_viewed_at, reply.create_at - 1);

        const counts = await user.doFetch(`${user.getUserThreadsRoute(me.id, team.id)}/mention_counts`, {method: 'get'});
        assert.equal(counts[channel.id], 1);
        await expectClientError(other.markThreadAsUnreadForUser(me.id, team.id, root.id, reply.id), 403, 'api.context.permissions.app_error');
    });
});
