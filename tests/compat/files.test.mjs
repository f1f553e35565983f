// Files, custom emoji and search with the official client: upload with Client4 (multipart,
// channel_id first), attach to a post, read the post's file infos, download, thumbnail, find
// the post by search, create a custom emoji and react with it.
//
// Expectations follow Mattermost 11 (docs: /work/shared/docs/api-v4.md §5.4, §5.6, §5.7).

import assert from 'node:assert/strict';
import {before, describe, it} from 'node:test';

import {adminClient, expectClientError, newClient, uniqueName} from './support.mjs';

const ID = /^[a-z0-9]{26}$/;
// The first account, as accounts.test.mjs creates it.

/** A 1x1 PNG (a red pixel). */
const PIXEL = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
    'base64',
);

describe('files, emoji and search through Client4', () => {
    let client;
    let me;
    let team;
    let town;

    before(async () => {
        client = await adminClient();
        me = await client.getMe();
        team = await client.createTeam({name: uniqueName('attach'), display_name: 'Files Team', type: 'O'});
        town = await client.getChannelByName(team.id, 'town-square');
    });

    it('uploads, attaches, downloads and finds a file', async () => {
        const form = new FormData();
        form.append('channel_id', town.id);
        form.append('client_ids', 'client-1');
        form.append('files', new Blob(['quarterly numbers'], {type: 'text/plain'}), 'report.txt');
        const uploaded = await client.uploadFile(form);
        assert.deepEqual(uploaded.client_ids, ['client-1']);
        assert.equal(uploaded.file_infos.length, 1);
        const info = uploaded.file_infos[0];
        assert.match(info.id, ID);
        assert.equal(info.name, 'report.txt');
        assert.equal(info.extension, 'txt');
        assert.equal(info.size, 17);
        assert.equal(info.user_id, me.id);
        assert.equal(info.channel_id, town.id);

        const post = await client.createPost({channel_id: town.id, message: 'the zeppelin report', file_ids: [info.id]});
        assert.deepEqual(post.file_ids, [info.id]);
        assert.equal(post.metadata.files[0].id, info.id);

        const infos = await client.getFileInfosForPost(post.id);
        assert.equal(infos.length, 1);
        assert.equal(infos[0].post_id, post.id);

        const response = await fetch(client.getFileUrl(info.id), client.getOptions({method: 'get'}));
        assert.equal(response.status, 200);
        assert.equal(await response.text(), 'quarterly numbers');
        assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
        assert.match(response.headers.get('content-disposition'), /^attachment; filename="report.txt"/);

        const found = await client.searchPosts(team.id, 'zeppelin', false);
        assert.deepEqual(found.order, [post.id]);
        assert.deepEqual(found.matches[post.id], ['zeppelin']);
        const phrase = await client.searchPostsWithParams(team.id, {terms: '"zeppelin report" from:' + me.username, is_or_search: false, page: 0, per_page: 20});
        assert.deepEqual(phrase.order, [post.id]);
        const none = await client.searchPosts(team.id, 'zeppelin -report', false);
        assert.deepEqual(none.order, []);
    });

    it('makes thumbnails and previews of images', async () => {
        const form = new FormData();
        form.append('channel_id', town.id);
        form.append('files', new Blob([PIXEL], {type: 'image/png'}), 'pixel.png');
        const {file_infos: [info]} = await client.uploadFile(form);
        assert.equal(info.width, 1);
        assert.equal(info.height, 1);
        assert.equal(info.has_preview_image, true);
        const thumbnail = await fetch(client.getFileThumbnailUrl(info.id), client.getOptions({method: 'get'}));
        assert.equal(thumbnail.status, 200);
        assert.equal(thumbnail.headers.get('content-type'), 'image/jpeg');
        const preview = await fetch(client.getFilePreviewUrl(info.id), client.getOptions({method: 'get'}));
        assert.equal(preview.status, 200);
    });

    it('refuses an upload without a channel', async () => {
        const form = new FormData();
        form.append('files', new Blob(['x']), 'x.txt');
        await expectClientError(client.uploadFile(form), 400, 'api.context.invalid_url_param.app_error');
    });

    it('creates a custom emoji and reacts with it', async () => {
        const name = uniqueName('emo');
        const emoji = await client.createCustomEmoji({name, creator_id: me.id}, new Blob([PIXEL], {type: 'image/png'}));
        assert.match(emoji.id, ID);
        assert.equal(emoji.name, name);
        const byName = await client.getCustomEmojiByName(name);
        assert.equal(byName.id, emoji.id);
        const completed = await client.autocompleteCustomEmoji(name.slice(0, 5));
        assert.ok(completed.some((e) => e.id === emoji.id));
        const image = await fetch(client.getCustomEmojiImageUrl(emoji.id), client.getOptions({method: 'get'}));
        assert.equal(image.headers.get('content-type'), 'image/png');
        const post = await client.createPost({channel_id: town.id, message: 'react to me'});
        const reaction = await client.addReaction(me.id, post.id, name);
        assert.equal(reaction.emoji_name, name);
        await client.deleteCustomEmoji(emoji.id);
        await expectClientError(client.getCustomEmoji(emoji.id), 404, 'app.emoji.get.no_result');
    });
});
