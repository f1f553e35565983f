// Sidebar categories with the official client: the calls the web app makes to draw and edit
// its sidebar (getChannelCategories, createChannelCategory, updateChannelCategory,
// updateChannelCategoryOrder, deleteChannelCategory).
// Logs in as the system admin that accounts.test.mjs creates (run.sh runs it first); if the
// server has no accounts yet (this file run on its own), it creates that admin itself.

import assert from 'node:assert/strict';
import {before, describe, it} from 'node:test';

import {adminClient, expectClientError, newClient, uniqueName} from './support.mjs';

const PASSWORD = 'cats-Passw0rd!';

describe('sidebar categories through Client4', () => {
    let admin;
    let user;
    let me;
    let team;
    let channel;

    before(async () => {
        admin = await adminClient();
        const username = uniqueName('cats');
        const created = await admin.createUser({username, email: `${username}@example.com`, password: PASSWORD});
        team = await admin.createTeam({name: uniqueName('catteam'), display_name: 'Cats', type: 'O'});
        await admin.addToTeam(team.id, created.id);
        user = newClient();
        me = await user.login(username, PASSWORD);
        channel = await user.createChannel({team_id: team.id, name: uniqueName('catchan'), display_name: 'Cat channel', type: 'O'});
    });

    it('lists the default categories with the channel in Channels', async () => {
        const {categories, order} = await user.getChannelCategories(me.id, team.id);
        assert.deepEqual(categories.map((c) => c.type), ['favorites', 'channels', 'direct_messages']);
        assert.deepEqual(order, categories.map((c) => c.id));
        assert.ok(categories[1].channel_ids.includes(channel.id));
    });

    it('creates, updates, reorders and deletes a custom category', async () => {
        const created = await user.createChannelCategory(me.id, team.id, {
            user_id: me.id, team_id: team.id, display_name: 'Work', channel_ids: [channel.id],
        });
        assert.equal(created.type, 'custom');
        assert.deepEqual(created.channel_ids, [channel.id]);

        const renamed = await user.updateChannelCategory(me.id, team.id, {...created, display_name: 'Projects', sorting: 'alpha'});
        assert.equal(renamed.display_name, 'Projects');
        assert.equal(renamed.sorting, 'alpha');

        const order = (await user.getChannelCategoryOrder(me.id, team.id)).reverse();
        assert.deepEqual(await user.updateChannelCategoryOrder(me.id, team.id, order), order);
        assert.deepEqual((await user.getChannelCategories(me.id, team.id)).order, order);

        await user.deleteChannelCategory(me.id, team.id, created.id);
        const {categories} = await user.getChannelCategories(me.id, team.id);
        assert.equal(categories.length, 3);
        assert.ok(categories.find((c) => c.type === 'channels').channel_ids.includes(channel.id));
    });

    it('refuses another user\'s categories', async () => {
        const other = newClient();
        const username = uniqueName('catsb');
        const created = await admin.createUser({username, email: `${username}@example.com`, password: PASSWORD});
        await admin.addToTeam(team.id, created.id);
        await other.login(username, PASSWORD);
        await expectClientError(other.getChannelCategories(me.id, team.id), 403, 'api.context.permissions.app_error');
    });
});
