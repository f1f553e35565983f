// Application state as signals, and the actions that load and change it through Client4.
import type {ChannelCategory} from '@mattermost/types/channel_categories';
import type {ChannelMembership, ServerChannel as Channel} from '@mattermost/types/channels';
import type {ClientConfig} from '@mattermost/types/config';
import type {Post, PostList} from '@mattermost/types/posts';
import type {Team, TeamUnread} from '@mattermost/types/teams';
import type {UserProfile} from '@mattermost/types/users';
import {batch, computed, signal} from '@preact/signals';

import {client, socket, socketUrl, statusOf} from './api';
import {navigate} from './router';

export const PAGE_SIZE = 60;

export const config = signal<Partial<ClientConfig>>({});
export const me = signal<UserProfile | null>(null);
export const teams = signal<Team[]>([]);
export const teamUnreads = signal<Record<string, TeamUnread>>({});
export const currentTeamId = signal<string>('');
export const channels = signal<Record<string, Channel>>({});
export const members = signal<Record<string, ChannelMembership>>({});
export const categories = signal<ChannelCategory[]>([]);
export const users = signal<Record<string, UserProfile>>({});
export const currentChannelId = signal<string>('');
/** Posts of each loaded channel, oldest first, and whether older ones remain. */
export const postsByChannel = signal<Record<string, {posts: Post[]; complete: boolean}>>({});
/** `connected` once the socket is up; `reconnecting` after it dropped. */
export const connection = signal<'idle' | 'connected' | 'reconnecting'>('idle');
/** The latest message in the open channel from someone else, for the live region. */
export const announcement = signal<string>('');

export const currentTeam = computed(() => teams.value.find((t) => t.id === currentTeamId.value));
export const currentChannel = computed(() => channels.value[currentChannelId.value]);

export function displayName(user: UserProfile | undefined): string {
    return user ? user.username : 'someone';
}

/** A channel's name as the sidebar shows it (the other person for a direct message). */
export function channelLabel(channel: Channel): string {
    if (channel.type === 'D') {
        const mine = me.value?.id ?? '';
        const other = channel.name.split('__').find((id) => id !== mine) ?? mine;
        return users.value[other]?.username ?? channel.display_name ?? 'Direct message';
    }
    return channel.display_name || channel.name;
}

export function unreadCount(channelId: string): {unread: boolean; mentions: number} {
    const channel = channels.value[channelId];
    const member = members.value[channelId];
    if (!channel || !member) {
        return {unread: false, mentions: 0};
    }
    // A muted channel shows only mentions.
    const muted = member.notify_props?.mark_unread === 'mention';
    return {
        unread: !muted && channel.total_msg_count > member.msg_count,
        mentions: member.mention_count,
    };
}

// --- loading ---------------------------------------------------------------------------------

export async function loadConfig() {
    config.value = await client.getClientConfig();
}

/** Who is logged in (null when nobody is): the session is the server's cookie. */
export async function loadMe(): Promise<UserProfile | null> {
    try {
        me.value = await client.getMe();
    } catch {
        me.value = null;
    }
    return me.value;
}

export async function loadTeams() {
    const [mine, unreads] = await Promise.all([client.getMyTeams(), client.getMyTeamUnreads()]);
    batch(() => {
        teams.value = mine.filter((t) => t.delete_at === 0).sort((a, b) => a.display_name.localeCompare(b.display_name));
        teamUnreads.value = Object.fromEntries(unreads.map((u) => [u.team_id, u]));
    });
}

export async function ensureUsers(ids: string[]) {
    const missing = [...new Set(ids)].filter((id) => id && !users.value[id]);
    if (missing.length === 0) {
        return;
    }
    const found = await client.getProfilesByIds(missing);
    users.value = {...users.value, ...Object.fromEntries(found.map((u) => [u.id, u]))};
}

/** The sidebar of one team: its channels, my memberships, my categories. */
export async function loadTeam(team: Team) {
    const userId = me.value!.id;
    const [chans, mems, cats] = await Promise.all([
        client.getMyChannels(team.id),
        client.getMyChannelMembers(team.id),
        client.getChannelCategories(userId, team.id),
    ]);
    const dmPartners = chans.filter((c) => c.type === 'D').flatMap((c) => c.name.split('__'));
    await ensureUsers(dmPartners);
    batch(() => {
        currentTeamId.value = team.id;
        channels.value = Object.fromEntries(chans.filter((c) => c.delete_at === 0).map((c) => [c.id, c]));
        members.value = Object.fromEntries(mems.map((m) => [m.channel_id, m]));
        categories.value = cats.order.map((id) => cats.categories.find((c) => c.id === id)).filter(Boolean) as ChannelCategory[];
    });
}

function ordered(list: PostList): Post[] {
    return [...list.order].reverse().map((id) => list.posts[id]).filter((p) => p && p.delete_at === 0);
}

export async function loadPosts(channelId: string) {
    const list = await client.getPosts(channelId, 0, PAGE_SIZE);
    const posts = ordered(list);
    await ensureUsers(posts.map((p) => p.user_id));
    postsByChannel.value = {
        ...postsByChannel.value,
        [channelId]: {posts, complete: list.order.length < PAGE_SIZE},
    };
}

/** One page further back; false when the start of the channel is reached. */
export async function loadOlder(channelId: string): Promise<boolean> {
    const loaded = postsByChannel.value[channelId];
    if (!loaded || loaded.complete || loaded.posts.length === 0) {
        return false;
    }
    const list = await client.getPostsBefore(channelId, loaded.posts[0].id, 0, PAGE_SIZE);
    const older = ordered(list);
    await ensureUsers(older.map((p) => p.user_id));
    const now = postsByChannel.value[channelId] ?? loaded;
    const known = new Set(now.posts.map((p) => p.id));
    postsByChannel.value = {
        ...postsByChannel.value,
        [channelId]: {
            posts: [...older.filter((p) => !known.has(p.id)), ...now.posts],
            complete: list.order.length < PAGE_SIZE,
        },
    };
    return older.length > 0;
}

/** Loads pages further back until `postId` is loaded (a permalink), within a bound. */
export async function loadUntil(channelId: string, postId: string, maxPages = 20) {
    for (let i = 0; i < maxPages; i += 1) {
        const loaded = postsByChannel.value[channelId];
        if (!loaded || loaded.posts.some((p) => p.id === postId) || !(await loadOlder(channelId))) {
            return;
        }
    }
}

/** Opens a public channel of the team that the user is not in yet, as Mattermost does. */
export async function joinByName(teamName: string, channelName: string): Promise<Channel | undefined> {
    const channel = await client.getChannelByNameAndTeamName(teamName, channelName) as Channel;
    if (channel.type !== 'O' || channel.delete_at !== 0) {
        return undefined;
    }
    const member = await client.addToChannel(me.value!.id, channel.id);
    const fresh = await client.getChannel(channel.id) as Channel;
    batch(() => {
        channels.value = {...channels.value, [fresh.id]: fresh};
        members.value = {...members.value, [fresh.id]: member};
    });
    return fresh;
}

export async function markViewed(channelId: string) {
    const channel = channels.value[channelId];
    const member = members.value[channelId];
    if (channel && member) {
        members.value = {
            ...members.value,
            [channelId]: {...member, msg_count: channel.total_msg_count, mention_count: 0},
        };
    }
    await client.viewMyChannel(channelId).catch(() => undefined);
}

export async function sendPost(channelId: string, message: string) {
    const post = await client.createPost({channel_id: channelId, message});
    addPost(post);
}

// --- changes (from this client's actions and from the WebSocket) -------------------------------

function addPost(post: Post) {
    const loaded = postsByChannel.value[post.channel_id];
    if (!loaded || loaded.posts.some((p) => p.id === post.id)) {
        return;
    }
    postsByChannel.value = {
        ...postsByChannel.value,
        [post.channel_id]: {...loaded, posts: [...loaded.posts, post]},
    };
}

function replacePost(post: Post) {
    const loaded = postsByChannel.value[post.channel_id];
    if (!loaded) {
        return;
    }
    const posts = post.delete_at > 0 ?
        loaded.posts.filter((p) => p.id !== post.id) :
        loaded.posts.map((p) => (p.id === post.id ? post : p));
    postsByChannel.value = {...postsByChannel.value, [post.channel_id]: {...loaded, posts}};
}

async function onPosted(post: Post, mentions: string[]) {
    const channel = channels.value[post.channel_id];
    const mine = me.value?.id;
    if (channel) {
        channels.value = {
            ...channels.value,
            [channel.id]: {...channel, total_msg_count: channel.total_msg_count + 1, last_post_at: post.create_at},
        };
    }
    await ensureUsers([post.user_id]);
    addPost(post);
    const open = post.channel_id === currentChannelId.value && document.visibilityState === 'visible';
    if (post.user_id === mine || open) {
        if (channel && open && post.user_id !== mine) {
            announcement.value = `${displayName(users.value[post.user_id])}: ${post.message.slice(0, 200)}`;
        }
        markViewedLocally(post.channel_id);
        if (open && post.user_id !== mine) {
            void client.viewMyChannel(post.channel_id).catch(() => undefined);
        }
        return;
    }
    const member = members.value[post.channel_id];
    if (member && mine && (mentions.includes(mine) || channel?.type === 'D')) {
        members.value = {...members.value, [post.channel_id]: {...member, mention_count: member.mention_count + 1}};
    }
    if (!channel) {
        // A channel of another team, or a new direct message: refresh the counts we show.
        void client.getMyTeamUnreads().then((unreads) => {
            teamUnreads.value = Object.fromEntries(unreads.map((u) => [u.team_id, u]));
        }).catch(() => undefined);
    }
}

function markViewedLocally(channelId: string) {
    const channel = channels.value[channelId];
    const member = members.value[channelId];
    if (channel && member) {
        members.value = {...members.value, [channelId]: {...member, msg_count: channel.total_msg_count, mention_count: 0}};
    }
}

/** After a reconnect: what may have been missed is read again. */
async function resync() {
    const team = currentTeam.value;
    if (!team) {
        return;
    }
    await loadTeam(team);
    await loadTeams();
    if (currentChannelId.value) {
        await loadPosts(currentChannelId.value);
    }
}

function parseJson<T>(text: unknown): T | undefined {
    if (typeof text !== 'string') {
        return undefined;
    }
    try {
        return JSON.parse(text) as T;
    } catch {
        return undefined;
    }
}

let socketStarted = false;

export function startSocket() {
    if (socketStarted) {
        return;
    }
    socketStarted = true;
    socket.addFirstConnectListener(() => {
        connection.value = 'connected';
    });
    // Reconnected: the server resumes the stream where it stopped (missed events replayed).
    socket.addReconnectListener(() => {
        connection.value = 'connected';
    });
    // It could not (a restart, a long outage): read again over REST. With this listener the
    // client also restarts its sequence count; without one it would reconnect forever.
    socket.addMissedMessageListener(() => {
        void resync().catch(() => undefined);
    });
    socket.addCloseListener(() => {
        if (!socketStarted) {
            return;
        }
        connection.value = 'reconnecting';
        // A revoked or expired session will not come back: log in again.
        client.getMe().catch((err) => {
            if (statusOf(err) === 401 && socketStarted) {
                const here = window.location.pathname + window.location.search;
                reset();
                navigate(`/login?redirect_to=${encodeURIComponent(here)}`, true);
            }
        });
    });
    socket.addMessageListener((msg) => {
        const data = (msg.data ?? {}) as Record<string, unknown>;
        switch (msg.event as string) {
        case 'posted': {
            const post = parseJson<Post>(data.post);
            if (post) {
                void onPosted(post, parseJson<string[]>(data.mentions) ?? []);
            }
            break;
        }
        case 'post_edited':
        case 'post_deleted': {
            const post = parseJson<Post>(data.post);
            if (post) {
                replacePost(msg.event === 'post_deleted' ? {...post, delete_at: post.delete_at || Date.now()} : post);
            }
            break;
        }
        case 'channel_viewed':
            markViewedLocally(String(data.channel_id ?? ''));
            break;
        case 'user_added':
        case 'user_removed':
        case 'channel_created':
        case 'channel_updated':
        case 'channel_deleted':
        case 'direct_added':
        case 'group_added':
        case 'sidebar_category_created':
        case 'sidebar_category_updated':
        case 'sidebar_category_deleted':
        case 'sidebar_category_order_updated':
            if (currentTeam.value) {
                void loadTeam(currentTeam.value).catch(() => undefined);
            }
            break;
        case 'added_to_team':
        case 'leave_team':
            void loadTeams().catch(() => undefined);
            break;
        }
    });
    socket.initialize(socketUrl());
}

export function stopSocket() {
    socketStarted = false;
    socket.close();
    connection.value = 'idle';
}

export function reset() {
    stopSocket();
    batch(() => {
        me.value = null;
        teams.value = [];
        teamUnreads.value = {};
        currentTeamId.value = '';
        channels.value = {};
        members.value = {};
        categories.value = [];
        users.value = {};
        currentChannelId.value = '';
        postsByChannel.value = {};
    });
}
