// File search and public file links with the official client: searchFilesWithParams (one team
// and all teams, with `ext:`, `from:` and `-` terms), searchFiles, and getFilePublicLink, whose
// link is then fetched without a session. run.sh turns FileSettings.EnablePublicLink on.

import assert from 'node:assert/strict';
import {before, describe, it} from 'node:test';

import {adminClient, expectClientError, newClient, uniqueName} from './support.mjs';

const PASSWORD = 'files-Passw0rd!';

async function upload(client, channelId, name, text) {
    const form = new FormData();
    form.append('channel_id', channelId);
    form.append('files', new Blob([text], {type: 'text/plain'}), name);
    return (await client.uploadFile(form)).file_infos[0];
}

describe('file search and public links through Client4', () => {
    let admin;
    let user;
    let me;
    let team;
    let town;
    let word;
    let report;
    let sheet;

    before(async () => {
        admin = await adminClient();
        const username = uniqueName('finder');
        const created = await admin.createUser({username, email: `${username}@example.com`, password: PASSWORD});
        team = await admin.createTeam({name: uniqueName('fsteam'), display_name: 'File search', type: 'O'});
        await admin.addToTeam(team.id, created.id);
        user = newClient();
        me = await user.login(username, PASSWORD);
        town = await user.getChannelByName(team.id, 'town-square');
        // A word no other file on the shared server has.
        word = uniqueName('zephyr');
        report = await upload(user, town.id, `${word}-report.pdf`, 'pdf');
        sheet = await upload(user, town.id, `${word} budget.csv`, 'a,b');
        await user.createPost({channel_id: town.id, message: 'files', file_ids: [report.id, sheet.id]});
    });

    it('finds files by name words, extension and author', async () => {
        const found = await user.searchFilesWithParams(team.id, {terms: word, is_or_search: false, page: 0, per_page: 20});
        assert.deepEqual([...found.order].sort(), [report.id, sheet.id].sort());
        assert.equal(found.file_infos[report.id].name, `${word}-report.pdf`);
        assert.equal(found.file_infos[report.id].user_id, me.id);
        assert.equal(found.file_infos[report.id].channel_id, town.id);
        assert.equal(found.next_file_info_id, '');
        assert.equal(found.prev_file_info_id, '');
        assert.equal(found.first_inaccessible_file_time, 0);

        const pdf = await user.searchFilesWithParams(team.id, {terms: `${word} ext:pdf`});
        assert.deepEqual(pdf.order, [report.id]);
        const notPdf = await user.searchFilesWithParams(team.id, {terms: `${word} -ext:pdf from:${me.username}`});
        assert.deepEqual(notPdf.order, [sheet.id]);
        const excluded = await user.searchFiles(team.id, `${word} -budget`, false);
        assert.deepEqual(excluded.order, [report.id]);

        // All teams (no team id).
        const everywhere = await user.searchFilesWithParams('', {terms: `"${word} budget"`});
        assert.deepEqual(everywhere.order, [sheet.id]);

        await expectClientError(user.searchFilesWithParams(team.id, {terms: ''}), 400, 'api.context.invalid_body_param.app_error');
        const other = await admin.createTeam({name: uniqueName('fsother'), display_name: 'Other', type: 'O'});
        await expectClientError(user.searchFilesWithParams(other.id, {terms: word}), 403);
    });

    it('gets a public link that works without a session', async () => {
        const {link} = await user.getFilePublicLink(report.id);
        assert.match(link, new RegExp(`/files/${report.id}/public\\?h=[A-Za-z0-9_-]{43}$`));
        const response = await fetch(link);
        assert.equal(response.status, 200);
        assert.equal(await response.text(), 'pdf');

        const wrong = await fetch(link.replace(/h=.*/, 'h=nope'));
        assert.equal(wrong.status, 400);
        assert.equal((await wrong.json()).id, 'api.file.get_file.public_invalid.app_error');

        const draft = await upload(user, town.id, `${word}-draft.txt`, 'draft');
        await expectClientError(user.getFilePublicLink(draft.id), 400, 'api.file.get_public_link.no_post.app_error');
    });
});
