// The chat core with the official client: a scripted conversation between three users in one
// team: public, private, direct and group channels, posts, replies and threads, edits and
// deletes, reactions, pins, paging, unread and mention counts before and after viewing,
// profiles, preferences and statuses.
//
// Every expectation is what Mattermost 11 does (docs: /work/shared/docs/api-v4.md §5.2-5.5).
// Logs in as the system admin that accounts.test.mjs creates (run.sh runs it first); if the
// server has no accounts yet (this file run on its own), it creates that admin itself.

import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import {before, describe, it} from 'node:test';

import {adminClient, expectClientError, newClient, uniqueName} from './support.mjs';

const ID = /^[a-z0-9]{26}$/;
const PERMISSIONS = 'api.context.permissions.app_error';
const PASSWORD = 'chat-Passw0rd!';
// The first account, as accounts.test.mjs creates it.

// Client4 resolves to the body only; remember the status of each response so the tests can
// check 200 vs 201 as Mattermost sends them.
let lastResponse = {status: 0, url: ''};
const realFetch = globalThis.fetch;
globalThis.fetch = async (url, options) => {
    const response = await realFetch(url, options);
    lastResponse = {status: response.status, url: String(url), method: options?.method ?? 'get'};
    return response;
};
function assertLastStatus(status) {
    assert.equal(lastResponse.status, status, `HTTP status of ${lastResponse.method} ${lastResponse.url}`);
}

async function userClient(login) {
    const client = newClient();
    await client.login(login, PASSWORD);
    return client;
}

/** Unread messages of a member: channel total minus what the member has read. */
function unread(channel, member) {
    return channel.total_msg_count - member.msg_count;
}

/** GET /users/{user_id}/channels/{channel_id}/unread. Client4 11.9 has no method for it. */
function getChannelUnread(client, channelId) {
    return client.doFetch(`${client.getUserRoute('me')}/channels/${channelId}/unread`, {method: 'get'});
}

function teamUnread(unreads, teamId) {
    const entry = unreads.find((u) => u.team_id === teamId);
    assert.ok(entry, `getMyTeamUnreads lists team ${teamId}: ${JSON.stringify(unreads)}`);
    return entry;
}

function assertPostShape(post) {
    assert.match(post.id, ID);
    for (const key of ['create_at', 'update_at', 'edit_at', 'delete_at', 'reply_count']) {
        assert.equal(typeof post[key], 'number', `post.${key} is a number`);
    }
    for (const key of ['user_id', 'channel_id', 'root_id', 'original_id', 'message', 'type', 'hashtags', 'pending_post_id']) {
        assert.equal(typeof post[key], 'string', `post.${key} is a string`);
    }
    assert.equal(typeof post.is_pinned, 'boolean');
    assert.deepEqual(typeof post.props, 'object');
    assert.ok(Array.isArray(post.file_ids), 'post.file_ids is an array');
}

describe('chat through Client4', () => {
    // a: system admin; b and c: plain users created by the admin.
    let a;
    let b;
    let c;
    let userA;
    let userB;
    let userC;
    let team;
    let pub; // public, created by b; members b, a, c
    let priv; // private, created by b; members b, a

    before(async () => {
        a = await adminClient();
        userA = await a.getMe();
        const created = [];
        for (const prefix of ['chatb', 'chatc']) {
            const username = uniqueName(prefix);
            const user = await a.createUser({username, email: `${username}@example.com`, password: PASSWORD});
            assertLastStatus(201);
            created.push(user);
        }
        [userB, userC] = created;
        b = await userClient(userB.username);
        c = await userClient(userC.username);
    });

    it('admin creates users that can log in as plain users', async () => {
        assert.match(userB.id, ID);
        assert.equal(userB.roles, 'system_user');
        assert.equal(userB.password, undefined);
        assert.equal((await b.getMe()).id, userB.id);
        assert.equal((await c.getMe()).id, userC.id);
    });

    it('creates a team with its default channels and adds members to it', async () => {
        const name = uniqueName('chat');
        team = await a.createTeam({name, display_name: 'Chat Team', type: 'O'});
        assertLastStatus(201);
        assert.match(team.id, ID);
        assert.equal(team.name, name);
        assert.equal(team.display_name, 'Chat Team');
        assert.equal(team.type, 'O');
        assert.equal(team.delete_at, 0);

        for (const user of [userB, userC]) {
            const member = await a.addToTeam(team.id, user.id);
            assertLastStatus(201);
            assert.equal(member.team_id, team.id);
            assert.equal(member.user_id, user.id);
            assert.equal(member.roles, 'team_user');
            assert.equal(member.delete_at, 0);
        }

        const adminChannels = await a.getMyChannels(team.id);
        assert.deepEqual(
            adminChannels.filter((ch) => ch.team_id === team.id).map((ch) => ch.name).sort(),
            ['off-topic', 'town-square'],
        );
        const townSquare = adminChannels.find((ch) => ch.name === 'town-square');
        assert.equal(townSquare.display_name, 'Town Square');
        assert.equal(townSquare.type, 'O');
    });

    it('joins added team members to town-square and off-topic', async () => {
        for (const client of [b, c]) {
            const mine = await client.getMyChannels(team.id);
            assert.deepEqual(
                mine.filter((ch) => ch.team_id === team.id).map((ch) => ch.name).sort(),
                ['off-topic', 'town-square'],
            );
        }
    });

    it('creates public and private channels; the creator is channel admin', async () => {
        pub = await b.createChannel({
            team_id: team.id,
            name: uniqueName('pub'),
            display_name: 'Public Chat',
            type: 'O',
            purpose: 'talking',
            header: 'welcome',
        });
        assertLastStatus(201);
        assert.match(pub.id, ID);
        assert.equal(pub.team_id, team.id);
        assert.equal(pub.type, 'O');
        assert.equal(pub.display_name, 'Public Chat');
        assert.equal(pub.purpose, 'talking');
        assert.equal(pub.header, 'welcome');
        assert.equal(pub.creator_id, userB.id);
        assert.equal(pub.total_msg_count, 0);
        assert.equal(pub.delete_at, 0);

        priv = await b.createChannel({team_id: team.id, name: uniqueName('priv'), display_name: 'Secret', type: 'P'});
        assertLastStatus(201);
        assert.equal(priv.type, 'P');
        assert.equal(priv.creator_id, userB.id);

        const creator = await b.getMyChannelMember(pub.id);
        assert.equal(creator.channel_id, pub.id);
        assert.equal(creator.user_id, userB.id);
        assert.equal(creator.roles, 'channel_user channel_admin');
        assert.equal(creator.mention_count, 0);
        assert.equal(typeof creator.notify_props, 'object');

        for (const user of [userA, userC]) {
            const member = await b.addToChannel(user.id, pub.id);
            assertLastStatus(201);
            assert.equal(member.channel_id, pub.id);
            assert.equal(member.user_id, user.id);
            assert.equal(member.roles, 'channel_user');
        }
        await b.addToChannel(userA.id, priv.id);
        assertLastStatus(201);
    });

    it('posts system messages when members are added to the team and to channels', async () => {
        const townSquare = (await a.getMyChannels(team.id)).find((ch) => ch.name === 'town-square');
        const teamPosts = Object.values((await a.getPosts(townSquare.id)).posts);
        for (const user of [userB, userC]) {
            const post = teamPosts.find((p) => p.type === 'system_add_to_team' && p.props?.addedUserId === user.id);
            assert.ok(post, `system_add_to_team for ${user.username} in town-square: ${JSON.stringify(teamPosts)}`);
            assert.equal(post.user_id, userA.id);
        }
        const channelPosts = Object.values((await b.getPosts(pub.id)).posts);
        for (const user of [userA, userC]) {
            const post = channelPosts.find((p) => p.type === 'system_add_to_channel' && p.props?.addedUserId === user.id);
            assert.ok(post, `system_add_to_channel for ${user.username}: ${JSON.stringify(channelPosts)}`);
            assert.equal(post.user_id, userB.id);
            assert.equal(post.props.addedUsername, user.username);
        }
    });

    it('keeps the private channel from a team member who is not in it (403)', async () => {
        await expectClientError(c.getChannel(priv.id), 403, PERMISSIONS);
        await expectClientError(c.getPosts(priv.id), 403, PERMISSIONS);
        await expectClientError(c.getChannelMember(priv.id, userB.id), 403, PERMISSIONS);
        await expectClientError(c.createPost({channel_id: priv.id, message: 'let me in'}), 403, PERMISSIONS);
        const secret = await b.createPost({channel_id: priv.id, message: 'for members only'});
        await expectClientError(c.getPost(secret.id), 403, PERMISSIONS);
        await expectClientError(c.getPostThread(secret.id), 403, PERMISSIONS);
        await expectClientError(c.getProfilesInChannel(priv.id), 403, PERMISSIONS);
        // Members (and the admin, added above) can read it.
        assert.equal((await a.getChannel(priv.id)).id, priv.id);
        assert.equal((await b.getPost(secret.id)).message, 'for members only');
        // c cannot delete or react to what it cannot see either.
        await expectClientError(c.addReaction(userC.id, secret.id, 'eyes'), 403, PERMISSIONS);
    });

    describe('a conversation in the public channel', () => {
        let root;
        let reply;
        let third;
        let baselineTeam;

        before(async () => {
            // c reads everything first; counts below are relative to this point.
            await c.viewMyChannel(pub.id);
            baselineTeam = teamUnread(await c.getMyTeamUnreads(), team.id);
        });

        it('creates a root post, a reply and another post', async () => {
            root = await b.createPost({channel_id: pub.id, message: `Hello @${userC.username}, please review #release`});
            assertLastStatus(201);
            assertPostShape(root);
            assert.equal(root.channel_id, pub.id);
            assert.equal(root.user_id, userB.id);
            assert.equal(root.root_id, '');
            assert.equal(root.message, `Hello @${userC.username}, please review #release`);
            assert.equal(root.hashtags, '#release');
            assert.equal(root.type, '');
            assert.equal(root.delete_at, 0);
            assert.equal(root.edit_at, 0);
            assert.deepEqual(root.file_ids, []);
            assert.ok(root.create_at > 0);

            reply = await a.createPost({channel_id: pub.id, message: 'Looks good to me', root_id: root.id});
            assertLastStatus(201);
            assert.equal(reply.root_id, root.id);
            assert.equal(reply.user_id, userA.id);

            third = await b.createPost({channel_id: pub.id, message: 'Third message', pending_post_id: `${userB.id}:${Date.now()}`});
            assertLastStatus(201);
            assert.ok(third.create_at >= reply.create_at);
            // A retry with the same pending_post_id returns the same post.
            const retry = await b.createPost({channel_id: pub.id, message: 'Third message', pending_post_id: third.pending_post_id});
            assert.equal(retry.id, third.id);

            // A reply must point at a root post of the same channel.
            await expectClientError(
                b.createPost({channel_id: pub.id, message: 'nested', root_id: reply.id}),
                400,
                'api.post.create_post.root_id.app_error',
            );
        });

        it('counts unread messages and mentions for the reader', async () => {
            const channel = await c.getChannel(pub.id);
            assert.equal(channel.last_post_at, third.create_at);
            const member = await c.getMyChannelMember(pub.id);
            assert.equal(unread(channel, member), 3, 'three posts unread');
            assert.equal(channel.total_msg_count_root - member.msg_count_root, 2, 'two roots unread');
            assert.equal(member.mention_count, 1, 'mentioned once');
            assert.equal(member.mention_count_root, 1);

            // The same member as seen by someone else.
            const seen = await a.getChannelMember(pub.id, userC.id);
            assert.equal(seen.user_id, userC.id);
            assert.equal(seen.msg_count, member.msg_count);
            assert.equal(seen.mention_count, 1);

            const channelUnread = await getChannelUnread(c, pub.id);
            assert.equal(channelUnread.channel_id, pub.id);
            assert.equal(channelUnread.team_id, team.id);
            assert.equal(channelUnread.msg_count, 3);
            assert.equal(channelUnread.mention_count, 1);

            const teamNow = teamUnread(await c.getMyTeamUnreads(), team.id);
            assert.equal(teamNow.msg_count, baselineTeam.msg_count + 3);
            assert.equal(teamNow.mention_count, baselineTeam.mention_count + 1);

            // Posting marks the channel read for the author.
            const author = await b.getMyChannelMember(pub.id);
            assert.equal(unread(channel, author), 0);
            assert.equal(author.mention_count, 0);
        });

        it('clears the counts when the reader views the channel', async () => {
            const before = Date.now();
            const viewed = await c.viewMyChannel(pub.id);
            assert.equal(viewed.status, 'OK');
            assert.equal(typeof viewed.last_viewed_at_times?.[pub.id], 'number', JSON.stringify(viewed));

            const channel = await c.getChannel(pub.id);
            const member = await c.getMyChannelMember(pub.id);
            assert.equal(member.msg_count, channel.total_msg_count);
            assert.equal(member.msg_count_root, channel.total_msg_count_root);
            assert.equal(member.mention_count, 0);
            assert.equal(member.mention_count_root, 0);
            assert.ok(member.last_viewed_at >= before - 1000, 'last_viewed_at moved to now');

            const channelUnread = await getChannelUnread(c, pub.id);
            assert.equal(channelUnread.msg_count, 0);
            assert.equal(channelUnread.mention_count, 0);

            const teamNow = teamUnread(await c.getMyTeamUnreads(), team.id);
            assert.equal(teamNow.msg_count, baselineTeam.msg_count);
            assert.equal(teamNow.mention_count, baselineTeam.mention_count);
        });

        it('lists the channel newest first with replies and their roots', async () => {
            const list = await c.getPosts(pub.id);
            assert.deepEqual(list.order.slice(0, 3), [third.id, reply.id, root.id]);
            assert.equal(list.posts[reply.id].root_id, root.id);
            assert.equal(list.posts[root.id].reply_count, 1);
            assert.equal(list.next_post_id, '');
            assertPostShape(list.posts[third.id]);
        });

        it('returns the thread of a post', async () => {
            const thread = await c.getPostThread(root.id);
            assert.deepEqual([...thread.order].sort(), [root.id, reply.id].sort());
            assert.deepEqual(Object.keys(thread.posts).sort(), [root.id, reply.id].sort());
            assert.equal(thread.posts[root.id].reply_count, 1);
            assert.equal(thread.posts[reply.id].root_id, root.id);
            // Asking from the reply gives the same thread.
            const fromReply = await c.getPostThread(reply.id);
            assert.deepEqual([...fromReply.order].sort(), [root.id, reply.id].sort());
        });

        it('edits posts with patchPost and updatePost', async () => {
            const patched = await b.patchPost({id: root.id, message: 'Hello team (edited)'});
            assertLastStatus(200);
            assert.equal(patched.id, root.id);
            assert.equal(patched.message, 'Hello team (edited)');
            assert.ok(patched.edit_at > 0, 'edit_at is set');
            assert.ok(patched.update_at >= patched.edit_at);
            assert.equal(patched.create_at, root.create_at);

            const updated = await b.updatePost({...third, message: 'Third message, updated'});
            assertLastStatus(200);
            assert.equal(updated.id, third.id);
            assert.equal(updated.message, 'Third message, updated');
            assert.ok(updated.edit_at > 0);

            const fetched = await c.getPost(root.id);
            assert.equal(fetched.message, 'Hello team (edited)');
            assert.equal(fetched.edit_at, patched.edit_at);
            const list = await c.getPosts(pub.id);
            assert.deepEqual(list.order.slice(0, 3), [third.id, reply.id, root.id], 'edits keep the order');
            assert.equal(list.posts[third.id].message, 'Third message, updated');

            // Someone else's post needs edit_others_posts.
            await expectClientError(c.patchPost({id: root.id, message: 'hijacked'}), 403, PERMISSIONS);
        });

        it('keeps the edit history for the author only', async () => {
            const history = await b.getPostEditHistory(root.id);
            assertLastStatus(200);
            assert.equal(history.length, 1);
            assert.equal(history[0].message, root.message, 'the version before the edit');
            assert.equal(history[0].original_id, root.id);
            await expectClientError(c.getPostEditHistory(root.id), 403, PERMISSIONS);
        });

        it('marks the channel unread from a post with markPostAsUnread', async () => {
            await c.viewMyChannel(pub.id);
            const marked = await c.markPostAsUnread(userC.id, reply.id);
            assertLastStatus(200);
            assert.equal(marked.channel_id, pub.id);
            assert.equal(marked.user_id, userC.id);
            assert.equal(marked.last_viewed_at, reply.create_at - 1);
            const channel = await c.getChannel(pub.id);
            const member = await c.getMyChannelMember(pub.id);
            assert.ok(unread(channel, member) >= 2, 'the reply and what came after it are unread again');
            await c.viewMyChannel(pub.id);
            await expectClientError(c.markPostAsUnread(userB.id, reply.id), 403, PERMISSIONS);
        });

        it('adds, lists and removes reactions', async () => {
            const plusOne = await c.addReaction(userC.id, root.id, '+1');
            assertLastStatus(200);
            assert.equal(plusOne.user_id, userC.id);
            assert.equal(plusOne.post_id, root.id);
            assert.equal(plusOne.emoji_name, '+1');
            assert.ok(plusOne.create_at > 0);
            await a.addReaction(userA.id, root.id, 'smile');
            assertLastStatus(200);

            const reactions = await b.getReactionsForPost(root.id);
            assert.deepEqual(
                reactions.map((r) => `${r.user_id}:${r.emoji_name}`).sort(),
                [`${userA.id}:smile`, `${userC.id}:+1`].sort(),
            );
            assert.equal((await b.getPost(root.id)).has_reactions, true);
            const list = await b.getPosts(pub.id);
            assert.equal(list.posts[root.id].has_reactions, true);
            assert.equal(list.posts[root.id].metadata?.reactions?.length, 2, 'post metadata carries the reactions');

            // Nobody reacts on someone else's behalf.
            await expectClientError(
                c.addReaction(userB.id, root.id, 'heart'),
                403,
                'api.reaction.save_reaction.user_id.app_error',
            );

            const removed = await c.removeReaction(userC.id, root.id, '+1');
            assertLastStatus(200);
            assert.deepEqual(removed, {status: 'OK'});
            const left = await b.getReactionsForPost(root.id);
            assert.deepEqual(left.map((r) => `${r.user_id}:${r.emoji_name}`), [`${userA.id}:smile`]);
        });

        it('pins and unpins a post', async () => {
            assert.deepEqual(await b.pinPost(third.id), {status: 'OK'});
            assertLastStatus(200);
            assert.equal((await c.getPost(third.id)).is_pinned, true);
            const pinned = await c.getPinnedPosts(pub.id);
            assert.deepEqual(pinned.order, [third.id]);
            assert.equal(pinned.posts[third.id].is_pinned, true);
            assert.equal((await c.getChannelStats(pub.id)).pinnedpost_count, 1);

            assert.deepEqual(await b.unpinPost(third.id), {status: 'OK'});
            assert.equal((await c.getPost(third.id)).is_pinned, false);
            assert.deepEqual((await c.getPinnedPosts(pub.id)).order, []);
        });

        it('deletes a reply: it leaves the channel and its thread', async () => {
            // Only the author (or someone with delete_others_posts) may delete.
            await expectClientError(c.deletePost(reply.id), 403, PERMISSIONS);
            const deleted = await a.deletePost(reply.id);
            assertLastStatus(200);
            assert.deepEqual(deleted, {status: 'OK'});

            await expectClientError(c.getPost(reply.id), 404, 'app.post.get.app_error');
            const list = await c.getPosts(pub.id);
            assert.ok(!list.order.includes(reply.id), 'the deleted reply is not listed');
            assert.deepEqual(list.order.slice(0, 2), [third.id, root.id]);
            const thread = await c.getPostThread(root.id);
            assert.deepEqual(thread.order, [root.id]);
            assert.equal(thread.posts[root.id].reply_count, 0);

            // Gone for admins too; with include_deleted an admin sees the deletion, not the text.
            await expectClientError(a.getPost(reply.id), 404, 'app.post.get.app_error');
            await expectClientError(c.getPost(reply.id, true), 403, PERMISSIONS);
            const seen = await a.getPost(reply.id, true);
            assert.ok(seen.delete_at > 0);
            assert.equal(seen.message, '');
            assert.deepEqual(seen.file_ids, []);
            // Syncing clients learn of the deletion without its content.
            const since = await c.getPostsSince(pub.id, 0);
            assert.ok(since.posts[reply.id].delete_at > 0, 'since carries the deletion');
            assert.equal(since.posts[reply.id].message, '');
            assert.ok(!JSON.stringify(since).includes('Looks good to me'), 'the deleted text never leaks');
        });
    });

    describe('paging a channel', () => {
        const posted = [];

        before(async () => {
            for (let i = 1; i <= 7; i++) {
                posted.push(await b.createPost({channel_id: priv.id, message: `page post ${i}`}));
            }
        });

        it('pages newest first with cursors to the neighbouring posts', async () => {
            const [p1, p2, p3, p4, p5, p6, p7] = posted.map((p) => p.id);
            const page = async (n) => {
                const list = await b.getPosts(priv.id, n, 3);
                return {order: list.order, next_post_id: list.next_post_id, prev_post_id: list.prev_post_id};
            };
            // next_post_id: the post just newer than the page ("" on page 0); prev_post_id: the
            // post just older than the page. Page 2 starts with the first of our posts; anything
            // older was posted before them, so only its first entry is pinned down.
            const page2 = await page(2);
            assert.deepEqual(
                {0: await page(0), 1: await page(1), 2: {first: page2.order[0], next_post_id: page2.next_post_id}},
                {
                    0: {order: [p7, p6, p5], next_post_id: '', prev_post_id: p4},
                    1: {order: [p4, p3, p2], next_post_id: p5, prev_post_id: p1},
                    2: {first: p1, next_post_id: p2},
                },
            );
            const all = await b.getPosts(priv.id);
            assert.deepEqual(all.order.slice(0, 7), [p7, p6, p5, p4, p3, p2, p1]);
            assert.equal(all.posts[p7].message, 'page post 7');

            const past = await b.getPosts(priv.id, 100, 3);
            assert.deepEqual(past.order, []);
            assert.deepEqual(past.posts, {});
        });
    });

    describe('direct and group messages', () => {
        let dm;
        let gm;

        it('creates a direct channel once and counts every message as a mention', async () => {
            dm = await b.createDirectChannel([userB.id, userC.id]);
            assertLastStatus(201);
            assert.equal(dm.type, 'D');
            assert.equal(dm.team_id, '');
            assert.equal(dm.name, [userB.id, userC.id].sort().join('__'));
            const again = await c.createDirectChannel([userC.id, userB.id]);
            assertLastStatus(201);
            assert.equal(again.id, dm.id, 'the existing direct channel is returned');

            await b.createPost({channel_id: dm.id, message: 'psst'});
            await b.createPost({channel_id: dm.id, message: 'are you there?'});
            const member = await c.getMyChannelMember(dm.id);
            const channel = await c.getChannel(dm.id);
            assert.equal(unread(channel, member), 2);
            assert.equal(member.mention_count, 2, 'each direct message is a mention');
            const channelUnread = await getChannelUnread(c, dm.id);
            assert.equal(channelUnread.msg_count, 2);
            assert.equal(channelUnread.mention_count, 2);

            await c.viewMyChannel(dm.id);
            const read = await c.getMyChannelMember(dm.id);
            assert.equal(read.msg_count, channel.total_msg_count);
            assert.equal(read.mention_count, 0);
        });

        it('creates a group channel named after its members', async () => {
            const ids = [userA.id, userB.id, userC.id];
            gm = await a.createGroupChannel([userB.id, userC.id]);
            assertLastStatus(201);
            assert.equal(gm.type, 'G');
            assert.equal(gm.team_id, '');
            assert.equal(
                gm.display_name,
                [userA.username, userB.username, userC.username].sort().join(', '),
            );
            const sha = createHash('sha1');
            for (const id of [...ids].sort()) {
                sha.update(id);
            }
            assert.equal(gm.name, sha.digest('hex'));
            const profiles = await c.getProfilesInChannel(gm.id);
            assert.deepEqual(profiles.map((u) => u.id).sort(), [...ids].sort());

            await c.createPost({channel_id: gm.id, message: 'hello group'});
            const member = await b.getMyChannelMember(gm.id);
            assert.equal(unread(await b.getChannel(gm.id), member), 1);
            assert.equal(member.mention_count, 0, 'group messages are not mentions by themselves');
        });

        it('lists team, direct and group channels in getMyChannels', async () => {
            const mineB = await b.getMyChannels(team.id);
            const ids = mineB.map((ch) => ch.id);
            for (const channel of [pub, priv, dm, gm]) {
                assert.ok(ids.includes(channel.id), `b's channels include ${channel.name}`);
            }
            assert.equal(new Set(ids).size, ids.length, 'no channel twice');
            const mineC = (await c.getMyChannels(team.id)).map((ch) => ch.id);
            assert.ok(mineC.includes(pub.id) && mineC.includes(dm.id) && mineC.includes(gm.id));
            assert.ok(!mineC.includes(priv.id), 'c is not in the private channel');
        });
    });

    it('converts a channel to private and back with updateChannelPrivacy', async () => {
        const plans = await b.createChannel({team_id: team.id, name: uniqueName('plans'), display_name: 'Plans', type: 'O'});
        const converted = await b.updateChannelPrivacy(plans.id, 'P');
        assertLastStatus(200);
        assert.equal(converted.type, 'P');
        await expectClientError(c.getChannel(plans.id), 403, PERMISSIONS);
        const posts = await b.getPosts(plans.id);
        assert.equal(posts.posts[posts.order[0]].type, 'system_change_chan_privacy');
        assert.equal((await b.updateChannelPrivacy(plans.id, 'O')).type, 'O');
        assert.equal((await c.getChannel(plans.id)).id, plans.id);
        await expectClientError(c.updateChannelPrivacy(plans.id, 'P'), 403, PERMISSIONS);
    });

    it('lists profiles in the team and in channels', async () => {
        const inTeam = await c.getProfilesInTeam(team.id);
        assert.deepEqual(inTeam.map((u) => u.id).sort(), [userA.id, userB.id, userC.id].sort());
        const other = inTeam.find((u) => u.id === userB.id);
        assert.equal(other.username, userB.username);
        assert.equal(other.password, undefined);

        const inPub = await c.getProfilesInChannel(pub.id);
        assert.deepEqual(inPub.map((u) => u.id).sort(), [userA.id, userB.id, userC.id].sort());
        const inPriv = await b.getProfilesInChannel(priv.id);
        assert.deepEqual(inPriv.map((u) => u.id).sort(), [userA.id, userB.id].sort());
        const firstPage = await c.getProfilesInTeam(team.id, 0, 2);
        assert.equal(firstPage.length, 2);
        const secondPage = await c.getProfilesInTeam(team.id, 1, 2);
        assert.equal(secondPage.length, 1);
    });

    it('saves and reads preferences', async () => {
        const prefs = [
            {user_id: userB.id, category: 'display_settings', name: 'use_military_time', value: 'true'},
            {user_id: userB.id, category: 'direct_channel_show', name: userC.id, value: 'true'},
        ];
        const saved = await b.savePreferences(userB.id, prefs);
        assertLastStatus(200);
        assert.deepEqual(saved, {status: 'OK'});
        const mine = await b.getMyPreferences();
        for (const pref of prefs) {
            const found = mine.find((p) => p.category === pref.category && p.name === pref.name);
            assert.deepEqual(found, pref);
        }
        await b.savePreferences(userB.id, [{...prefs[0], value: 'false'}]);
        const after = await b.getMyPreferences();
        assert.equal(
            after.find((p) => p.category === 'display_settings' && p.name === 'use_military_time').value,
            'false',
        );
        assert.equal(after.filter((p) => p.category === 'display_settings' && p.name === 'use_military_time').length, 1);
        await expectClientError(c.savePreferences(userB.id, prefs), 403, PERMISSIONS);
    });

    it('reports statuses by ids', async () => {
        const statuses = await c.getStatusesByIds([userA.id, userB.id, userC.id]);
        assert.deepEqual(statuses.map((s) => s.user_id).sort(), [userA.id, userB.id, userC.id].sort());
        for (const status of statuses) {
            assert.ok(['online', 'away', 'offline', 'dnd'].includes(status.status), JSON.stringify(status));
            assert.equal(typeof status.manual, 'boolean');
            assert.equal(typeof status.last_activity_at, 'number');
        }
        // Posting (set_online defaults to true) sets the poster online.
        assert.equal(statuses.find((s) => s.user_id === userB.id).status, 'online');
    });
});
