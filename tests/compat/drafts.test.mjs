// Synced drafts and scheduled posts with the official client: the calls the web app makes
// while a user writes (upsertDraft, getUserDrafts, deleteDraft) and schedules messages
// (createScheduledPost, getScheduledPosts, updateScheduledPost, deleteScheduledPost).
// Logs in as the system admin that accounts.test.mjs creates (run.sh runs it first); if the
// server has no accounts yet (this file run on its own), it creates that admin itself.

import assert from 'node:assert/strict';
import {before, describe, it} from 'node:test';

import {adminClient, expectClientError, newClient, uniqueName} from './support.mjs';

const PASSWORD = 'drafts-Passw0rd!';

describe('drafts and scheduled posts through Client4', () => {
    let admin;
    let user;
    let me;
    let other;
    let team;
    let channel;

    before(async () => {
        admin = await adminClient();
        team = await admin.createTeam({name: uniqueName('draftteam'), display_name: 'Drafts', type: 'O'});
        const login = async (prefix) => {
            const username = uniqueName(prefix);
            const created = await admin.createUser({username, email: `${username}@example.com`, password: PASSWORD});
            await admin.addToTeam(team.id, created.id);
            const client = newClient();
            return [client, await client.login(username, PASSWORD)];
        };
        [user, me] = await login('drafter');
        [other] = await login('drafterb');
        channel = await user.createChannel({team_id: team.id, name: uniqueName('draftchan'), display_name: 'Draft channel', type: 'O'});
    });

    it('saves, lists and deletes drafts', async () => {
        const root = await user.createPost({channel_id: channel.id, message: 'a thread'});
        const saved = await user.upsertDraft({
            create_at: 0, update_at: 0, delete_at: 0, user_id: me.id, channel_id: channel.id,
            root_id: '', message: 'half written', props: {}, file_ids: [],
        }, 'no-such-connection');
        assert.equal(saved.user_id, me.id);
        assert.equal(saved.channel_id, channel.id);
        assert.equal(saved.message, 'half written');
        assert.ok(saved.create_at > 0 && saved.update_at >= saved.create_at);
        await user.upsertDraft({channel_id: channel.id, root_id: root.id, message: 'a reply'}, '');

        const drafts = await user.getUserDrafts(team.id);
        assert.deepEqual(drafts.map((d) => d.root_id), [root.id, '']);
        assert.equal(drafts[1].message, 'half written');

        await user.deleteDraft(channel.id, root.id, '');
        await user.deleteDraft(channel.id, '', '');
        assert.deepEqual(await user.getUserDrafts(team.id), []);
        // Nothing left to delete is fine.
        await user.deleteDraft(channel.id, '', '');
    });

    it('refuses a draft where the user may not post', async () => {
        const secret = await other.createChannel({team_id: team.id, name: uniqueName('secret'), display_name: 'Secret', type: 'P'});
        await expectClientError(user.upsertDraft({channel_id: secret.id, message: 'x'}, ''), 403, 'api.context.permissions.app_error');
    });

    it('creates, lists, updates and deletes a scheduled post', async () => {
        const scheduledAt = Date.now() + 60 * 60 * 1000;
        const {data: created} = await user.createScheduledPost({
            channel_id: channel.id, root_id: '', message: 'later', props: {}, file_ids: [], scheduled_at: scheduledAt,
        }, '');
        assert.equal(created.id.length, 26);
        assert.equal(created.user_id, me.id);
        assert.equal(created.scheduled_at, scheduledAt);
        assert.equal(created.processed_at, 0);
        assert.equal(created.error_code, '');

        const {data: listed} = await user.getScheduledPosts(team.id, true);
        assert.deepEqual(listed[team.id].map((p) => p.id), [created.id]);
        assert.deepEqual(listed.directChannels, []);

        const {data: updated} = await user.updateScheduledPost({...created, message: 'even later', scheduled_at: scheduledAt + 1000}, '');
        assert.equal(updated.id, created.id);
        assert.equal(updated.message, 'even later');
        assert.equal(updated.scheduled_at, scheduledAt + 1000);

        await expectClientError(other.deleteScheduledPost('', created.id, ''), 403, 'app.delete_scheduled_post.delete_permission.error');
        const {data: deleted} = await user.deleteScheduledPost(me.id, created.id, '');
        assert.equal(deleted.id, created.id);
        assert.deepEqual((await user.getScheduledPosts(team.id, false)).data, {[team.id]: []});
        await expectClientError(user.deleteScheduledPost(me.id, created.id, ''), 404, 'app.delete_scheduled_post.existing_scheduled_post.not_exist');
    });

    it('refuses a time in the past', async () => {
        await expectClientError(
            user.createScheduledPost({channel_id: channel.id, message: 'too late', scheduled_at: Date.now() - 60 * 1000}, ''),
            400,
            'model.scheduled_post.is_valid.scheduled_at.app_error',
        );
    });
});
