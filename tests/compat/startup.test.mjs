// The calls the official web app makes at start-up, through Client4: roles, a user's channels
// and memberships across teams, user stats, known users, notices, client logs and the
// previous trial license. Logs in as the system admin that accounts.test.mjs creates (run.sh
// runs it first); if the server has no accounts yet, it creates that admin itself.

import assert from 'node:assert/strict';
import {before, describe, it} from 'node:test';

import {adminClient, expectClientError, newClient, uniqueName} from './support.mjs';

const PASSWORD = 'start-Passw0rd!';

describe('start-up calls through Client4', () => {
    let admin;
    let user;
    let me;
    let teams;
    let channel;

    before(async () => {
        admin = await adminClient();
        const username = uniqueName('start');
        const created = await admin.createUser({username, email: `${username}@example.com`, password: PASSWORD});
        teams = [];
        for (const label of ['a', 'b']) {
            const team = await admin.createTeam({name: uniqueName(`start${label}`), display_name: `Start ${label}`, type: 'O'});
            await admin.addToTeam(team.id, created.id);
            teams.push(team);
        }
        user = newClient();
        me = await user.login(username, PASSWORD);
        channel = await user.createChannel({team_id: teams[1].id, name: uniqueName('startchan'), display_name: 'Start', type: 'O'});
    });

    it('gets the roles the post box and menus are gated on', async () => {
        const roles = await user.getRolesByNames(['system_user', 'channel_user', 'team_user', 'no_such_role']);
        assert.deepEqual(roles.map((r) => r.name).sort(), ['channel_user', 'system_user', 'team_user']);
        const channelUser = roles.find((r) => r.name === 'channel_user');
        assert.ok(channelUser.permissions.includes('create_post'));
        assert.equal((await user.getRole(channelUser.id)).name, 'channel_user');
        assert.deepEqual(await user.getRoleByName('channel_user'), channelUser);
    });

    it('lists channels and memberships across all teams', async () => {
        const channels = await user.getAllTeamsChannels();
        const teamIds = new Set(channels.map((c) => c.team_id));
        assert.ok(teamIds.has(teams[0].id) && teamIds.has(teams[1].id));
        assert.ok(channels.some((c) => c.id === channel.id));
        const members = await user.getAllChannelsMembers(me.id);
        assert.ok(members.some((m) => m.channel_id === channel.id && m.user_id === me.id));
    });

    it('reads user stats and known users', async () => {
        const stats = await user.getTotalUsersStats();
        assert.ok(stats.total_users_count >= 2);
        const filtered = await admin.getFilteredUsersStats({in_team: teams[0].id});
        assert.ok(filtered.total_users_count >= 2);
        const known = await user.getKnownUsers();
        assert.ok(Array.isArray(known));
        assert.ok(!known.includes(me.id));
    });

    it('has no notices, accepts viewed notices and client logs', async () => {
        assert.deepEqual(await user.getInProductNotices(teams[0].id, 'web', '10.0.0'), []);
        await user.updateNoticesAsViewed(['some-notice']);
        user.enableLogging = true;
        await user.logClientError('compat: a client log line', 'INFO');
    });

    it('answers the previous trial license as the edition does', async () => {
        const config = await admin.getClientConfig();
        if (config.BuildEnterpriseReady === 'true') {
            const prev = await admin.getPrevTrialLicense();
            assert.equal(prev.IsLicensed, 'false');
        } else {
            await expectClientError(admin.getPrevTrialLicense(), 403, 'api.license.upgrade_needed.app_error');
        }
    });
});
