// Channel and team reads the apps make every day, with the official client:
// getProfilesInGroupChannels, searchGroupChannels, autocompleteChannelsForSearch,
// getArchivedChannels, the public channels by id route (no Client4 method: doFetch),
// getChannelMembersByIds, getTeamMembersByIds, getTeamStats, getProfilesByIds with `since`.

import assert from 'node:assert/strict';
import {before, describe, it} from 'node:test';

import {adminClient, expectClientError, newClient, uniqueName} from './support.mjs';

const PASSWORD = 'more-Passw0rd!';

describe('channel and team reads through Client4', () => {
    let admin;
    let team;
    const users = [];
    const clients = [];

    before(async () => {
        admin = await adminClient();
        team = await admin.createTeam({name: uniqueName('moreteam'), display_name: 'More', type: 'O'});
        for (const prefix of ['morea', 'moreb', 'morec']) {
            const username = uniqueName(prefix);
            const user = await admin.createUser({username, email: `${username}@example.com`, password: PASSWORD});
            await admin.addToTeam(team.id, user.id);
            const client = newClient();
            await client.login(username, PASSWORD);
            users.push(user);
            clients.push(client);
        }
    });

    it('lists the members of group channels and finds them by username', async () => {
        const [me, b, c] = users;
        const gm = await clients[0].createGroupChannel([me.id, b.id, c.id]);
        const profiles = await clients[0].getProfilesInGroupChannels([gm.id, uniqueName('x').padEnd(26, 'x')]);
        assert.deepEqual(Object.keys(profiles), [gm.id]);
        assert.deepEqual(
            profiles[gm.id].map((u) => u.username),
            [me, b, c].map((u) => u.username).sort(),
        );
        assert.equal(profiles[gm.id][0].password, undefined);

        const found = await clients[0].searchGroupChannels(c.username.toUpperCase());
        assert.deepEqual(found.map((ch) => ch.id), [gm.id]);
        assert.equal(found[0].type, 'G');
        assert.deepEqual(await clients[0].searchGroupChannels(''), []);
        assert.deepEqual(await admin.searchGroupChannels(c.username), []);
        await expectClientError(clients[0].getProfilesInGroupChannels([]), 400, 'api.context.invalid_body_param.app_error');
    });

    it('suggests the caller\'s channels for the search box', async () => {
        const name = uniqueName('suggest');
        const mine = await clients[0].createChannel({team_id: team.id, name, display_name: 'Suggest Me', type: 'O'});
        await clients[1].createChannel({team_id: team.id, name: `${name}x`, display_name: 'Not Mine', type: 'O'});
        const suggested = await clients[0].autocompleteChannelsForSearch(team.id, name);
        assert.deepEqual(suggested.map((ch) => ch.id), [mine.id]);
        const byWord = await clients[0].autocompleteChannelsForSearch(team.id, 'me');
        assert.ok(byWord.some((ch) => ch.id === mine.id), 'a word of the display name');
    });

    it('lists archived channels and public channels by id', async () => {
        const archived = await clients[0].createChannel({team_id: team.id, name: uniqueName('gone'), display_name: 'Gone', type: 'O'});
        const live = await clients[0].createChannel({team_id: team.id, name: uniqueName('live'), display_name: 'Live', type: 'O'});
        await clients[0].deleteChannel(archived.id);
        const listed = await clients[1].getArchivedChannels(team.id, 0, 60);
        assert.ok(listed.some((ch) => ch.id === archived.id && ch.delete_at > 0));
        assert.ok(!listed.some((ch) => ch.id === live.id));

        const route = `${clients[1].getTeamRoute(team.id)}/channels/ids`;
        const byId = await clients[1].doFetch(route, {method: 'post', body: JSON.stringify([live.id, archived.id])});
        assert.deepEqual(byId.map((ch) => ch.id), [live.id]);
        await expectClientError(
            clients[1].doFetch(route, {method: 'post', body: JSON.stringify([archived.id])}),
            404,
            'app.channel.get_channels_by_ids.not_found.app_error',
        );
        const stranger = await admin.createTeam({name: uniqueName('strangers'), display_name: 'Strangers', type: 'O'});
        await expectClientError(clients[1].getArchivedChannels(stranger.id), 403, 'api.context.permissions.app_error');
    });

    it('reads channel and team members by id and team stats', async () => {
        const [me, b, c] = users;
        const channel = await clients[0].createChannel({team_id: team.id, name: uniqueName('members'), display_name: 'Members', type: 'P'});
        await clients[0].addToChannel(b.id, channel.id);
        const members = await clients[1].getChannelMembersByIds(channel.id, [me.id, b.id, c.id]);
        assert.deepEqual(members.map((m) => m.user_id).sort(), [me.id, b.id].sort());
        await expectClientError(clients[2].getChannelMembersByIds(channel.id, [me.id]), 403, 'api.context.permissions.app_error');

        const teamMembers = await clients[2].getTeamMembersByIds(team.id, [me.id, c.id]);
        assert.deepEqual(teamMembers.map((m) => m.user_id).sort(), [me.id, c.id].sort());
        assert.ok(teamMembers.every((m) => m.team_id === team.id));

        const stats = await clients[2].getTeamStats(team.id);
        assert.equal(stats.team_id, team.id);
        assert.equal(stats.total_member_count, 4, 'the admin who created the team and three users');
        assert.equal(stats.active_member_count, 4);
    });

    it('reads profiles by id, only those changed since a time', async () => {
        const [me, b] = users;
        const before = await clients[0].getProfilesByIds([me.id, b.id, me.id]);
        assert.equal(before.length, 2);
        const since = Math.max(...before.map((u) => u.update_at));
        await new Promise((resolve) => setTimeout(resolve, 5));
        await clients[1].patchMe({nickname: 'changed'});
        const changed = await clients[0].getProfilesByIds([me.id, b.id], {since});
        assert.deepEqual(changed.map((u) => u.id), [b.id]);
        assert.equal(changed[0].nickname, 'changed');
        await expectClientError(clients[0].getProfilesByIds([]), 400, 'api.context.invalid_body_param.app_error');
    });
});
