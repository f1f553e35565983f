// Profile pictures and team icons with the official client: uploadProfileImage,
// getProfilePictureUrl (fetched, with its cache-busting `_` query and an ETag revalidation),
// setDefaultProfileImage, setTeamIcon, getTeamIconUrl and removeTeamIcon; and REST typing.
// Logs in as the system admin that accounts.test.mjs creates (run.sh runs it first).

import assert from 'node:assert/strict';
import {before, describe, it} from 'node:test';

import {adminClient, expectClientError, newClient, uniqueName} from './support.mjs';

const PASSWORD = 'media-Passw0rd!';

/** A 2x1 PNG (red, blue). */
const PNG = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAADUlEQVR4nGO4IwIEdwAHIwIJaMWvLQAAAABJRU5ErkJggg==',
    'base64',
);

function pngFile() {
    return new File([PNG], 'me.png', {type: 'image/png'});
}

async function fetchImage(client, url, headers = {}) {
    const options = client.getOptions({method: 'get', headers});
    return fetch(url, options);
}

describe('profile pictures and team icons through Client4', () => {
    let admin;
    let user;
    let me;
    let team;

    before(async () => {
        admin = await adminClient();
        const username = uniqueName('media');
        await admin.createUser({username, email: `${username}@example.com`, password: PASSWORD});
        user = newClient();
        me = await user.login(username, PASSWORD);
        team = await admin.createTeam({name: uniqueName('mediateam'), display_name: 'Media', type: 'O'});
        await admin.addToTeam(team.id, me.id);
    });

    it('serves a generated default picture before any upload', async () => {
        assert.equal(me.last_picture_update, undefined);
        const response = await fetchImage(user, user.getProfilePictureUrl(me.id, 0));
        assert.equal(response.status, 200);
        assert.equal(response.headers.get('content-type'), 'image/png');
        assert.equal(response.headers.get('cache-control'), 'max-age=86400, private');
        const bytes = Buffer.from(await response.arrayBuffer());
        assert.ok(bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47])));
        const defaultUrl = `${user.getUserRoute(me.id)}/image/default`;
        const fromDefault = await fetchImage(user, defaultUrl);
        assert.ok(Buffer.from(await fromDefault.arrayBuffer()).equals(bytes));
    });

    it('uploads a picture, serves it with an ETag and resets to the default', async () => {
        assert.deepEqual(await user.uploadProfileImage(me.id, pngFile()), {status: 'OK'});
        const updated = await user.getMe();
        assert.ok(updated.last_picture_update > 0);

        const url = user.getProfilePictureUrl(me.id, updated.last_picture_update);
        assert.ok(url.includes(`_=${updated.last_picture_update}`), url);
        const response = await fetchImage(user, url);
        assert.equal(response.status, 200);
        const etag = response.headers.get('etag');
        assert.equal(etag, String(updated.last_picture_update));
        await response.arrayBuffer();
        const again = await fetchImage(user, url, {'If-None-Match': etag});
        assert.equal(again.status, 304);

        // Someone else sees the new time too.
        assert.equal((await admin.getUser(me.id)).last_picture_update, updated.last_picture_update);

        assert.deepEqual(await user.setDefaultProfileImage(me.id), {status: 'OK'});
        const reset = await user.getMe();
        assert.ok(reset.last_picture_update < 0, `${reset.last_picture_update}`);
        const back = await fetchImage(user, user.getProfilePictureUrl(me.id, reset.last_picture_update));
        assert.equal(back.status, 200);
        assert.notEqual(back.headers.get('etag'), etag);
    });

    it('refuses another user\'s picture and a file that is not an image', async () => {
        const other = await admin.getUserByUsername('compat-admin');
        await expectClientError(user.uploadProfileImage(other.id, pngFile()), 403, 'api.context.permissions.app_error');
        await expectClientError(user.setDefaultProfileImage(other.id), 403, 'api.context.permissions.app_error');
        const text = new File([Buffer.from('not a picture')], 'x.png', {type: 'image/png'});
        await expectClientError(user.uploadProfileImage(me.id, text), 400, 'api.user.upload_profile_user.check_image_limits.app_error');
    });

    it('sets, serves and removes a team icon', async () => {
        const iconUrl = `${user.getTeamRoute(team.id)}/image`;
        assert.equal((await fetchImage(user, iconUrl)).status, 404);
        await expectClientError(user.setTeamIcon(team.id, pngFile()), 403, 'api.context.permissions.app_error');

        assert.deepEqual(await admin.setTeamIcon(team.id, pngFile()), {status: 'OK'});
        const withIcon = await user.getTeam(team.id);
        assert.ok(withIcon.last_team_icon_update > 0);
        const icon = await fetchImage(user, iconUrl);
        assert.equal(icon.status, 200);
        assert.equal(icon.headers.get('content-type'), 'image/png');
        assert.equal(icon.headers.get('etag'), String(withIcon.last_team_icon_update));

        assert.deepEqual(await admin.removeTeamIcon(team.id), {status: 'OK'});
        assert.equal((await user.getTeam(team.id)).last_team_icon_update, undefined);
        assert.equal((await fetchImage(user, iconUrl)).status, 404);
    });

    it('announces typing over HTTP', async () => {
        const town = await user.getChannelByName(team.id, 'town-square');
        const typing = await user.doFetch(`${user.getUserRoute('me')}/typing`, {
            method: 'post',
            body: JSON.stringify({channel_id: town.id, parent_id: ''}),
        });
        assert.deepEqual(typing, {status: 'OK'});
        await expectClientError(
            user.doFetch(`${user.getUserRoute(team.id)}/typing`, {method: 'post', body: JSON.stringify({channel_id: town.id})}),
            403,
            'api.context.permissions.app_error',
        );
    });
});
