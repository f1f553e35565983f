// The signed-in layout: teams, the channel sidebar, and the open channel.
import type {ServerChannel as Channel} from '@mattermost/types/channels';
import {useEffect, useState} from 'preact/hooks';

import {client, errorMessage} from '../api';
import {type Route, channelPath, navigate} from '../router';
import {
    categories, channelLabel, channels, connection, currentChannelId, currentTeam, joinByName,
    loadPosts, loadTeam, loadUntil, markViewed, me, reset, startSocket, teamUnreads, teams,
    unreadCount, users,
} from '../state';
import {ChannelView} from './ChannelView';

type Props = {route: Extract<Route, {team: string}>};

export function Main({route}: Props) {
    const [error, setError] = useState('');
    const [highlight, setHighlight] = useState('');
    const team = teams.value.find((t) => t.name === route.team);

    useEffect(() => {
        startSocket();
    }, []);

    useEffect(() => {
        if (!team) {
            return;
        }
        let stale = false;
        setError('');
        (async () => {
            if (currentTeam.value?.id !== team.id) {
                await loadTeam(team);
            }
            const channel = await resolveChannel(route, team.id);
            if (stale) {
                return;
            }
            if (!channel) {
                setError('This channel does not exist, or you are not a member.');
                currentChannelId.value = '';
                return;
            }
            setHighlight(route.name === 'permalink' ? route.postId : '');
            currentChannelId.value = channel.id;
            await loadPosts(channel.id);
            if (route.name === 'permalink') {
                await loadUntil(channel.id, route.postId);
            }
            await markViewed(channel.id);
        })().catch((err) => !stale && setError(errorMessage(err)));
        return () => {
            stale = true;
        };
    }, [team?.id, JSON.stringify(route)]);

    if (!team) {
        return (
            <main class="auth" id="main">
                <div class="auth-card">
                    <h1>Team not found</h1>
                    <p>You are not a member of a team called “{route.team}”.</p>
                    <p><a href="/select_team" onClick={(e) => { e.preventDefault(); navigate('/select_team'); }}>Choose a team</a></p>
                </div>
            </main>
        );
    }

    return (
        <div class="layout">
            <a class="skip" href="#composer">Skip to the message box</a>
            <header class="topbar">
                <span class="team-name">{team.display_name}</span>
                {connection.value === 'reconnecting' && (
                    <span class="reconnecting" role="status">Reconnecting…</span>
                )}
                <span class="spacer" />
                <span class="me">@{me.value?.username}</span>
                <button type="button" onClick={logout}>Log out</button>
            </header>
            <nav class="teams" aria-label="Teams">
                <ul>
                    {teams.value.map((t) => {
                        const unread = t.id !== team.id ? teamUnreads.value[t.id] : undefined;
                        const mentions = unread?.mention_count ?? 0;
                        const state = mentions ? `, ${mentions} mention${mentions === 1 ? '' : 's'}` : unread?.msg_count ? ', unread' : '';
                        return (
                            <li key={t.id}>
                                <a href={channelPath(t.name, 'town-square')} title={t.display_name}
                                    aria-current={t.id === team.id ? 'page' : undefined}
                                    onClick={(e) => { e.preventDefault(); navigate(channelPath(t.name, 'town-square')); }}>
                                    <span aria-hidden="true">{initials(t.display_name)}</span>
                                    <span class="sr-only">{t.display_name}{state}</span>
                                    {mentions > 0 && <span class="badge" aria-hidden="true">{mentions}</span>}
                                </a>
                            </li>
                        );
                    })}
                    <li>
                        <a href="/select_team" title="Create or join a team"
                            onClick={(e) => { e.preventDefault(); navigate('/select_team'); }}>
                            <span aria-hidden="true">+</span>
                            <span class="sr-only">Create or join a team</span>
                        </a>
                    </li>
                </ul>
            </nav>
            <Sidebar teamName={team.name} />
            <main class="channel" id="main">
                {error ? <div class="channel-error"><h1>Channel unavailable</h1><p>{error}</p></div> : <ChannelView highlight={highlight} />}
            </main>
        </div>
    );
}

function initials(name: string): string {
    return name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0]!.toUpperCase()).join('');
}

async function logout() {
    await client.logout().catch(() => undefined);
    reset();
    navigate('/login', true);
}

/** The channel a route names: by name, a direct message by username, or a permalink's post. */
async function resolveChannel(route: Props['route'], teamId: string): Promise<Channel | undefined> {
    const mine = Object.values(channels.value);
    switch (route.name) {
    case 'channel':
        return mine.find((c) => c.name === route.channel && (c.team_id === teamId || c.team_id === '')) ??
            await joinByName(route.team, route.channel).catch(() => undefined);
    case 'messages': {
        const user = await client.getUserByUsername(route.username);
        users.value = {...users.value, [user.id]: user};
        const dm = await client.createDirectChannel([me.value!.id, user.id]);
        channels.value = {...channels.value, [dm.id]: dm};
        return dm;
    }
    case 'permalink': {
        const post = await client.getPost(route.postId);
        return channels.value[post.channel_id] ?? await client.getChannel(post.channel_id);
    }
    default:
        return undefined;
    }
}

function Sidebar({teamName}: {teamName: string}) {
    const all = channels.value;
    return (
        <nav class="sidebar" aria-label="Channels">
            {categories.value.map((category) => {
                const ids = category.channel_ids.filter((id) => all[id]);
                if (ids.length === 0 && category.type !== 'channels') {
                    return null;
                }
                const headingId = `cat-${category.id}`;
                return (
                    <section key={category.id} aria-labelledby={headingId}>
                        <h2 id={headingId}>{category.display_name}</h2>
                        <ul>
                            {ids.map((id) => <ChannelLink key={id} channel={all[id]!} teamName={teamName} muted={category.muted} />)}
                        </ul>
                    </section>
                );
            })}
        </nav>
    );
}

function ChannelLink({channel, teamName, muted}: {channel: Channel; teamName: string; muted: boolean}) {
    const {unread, mentions} = unreadCount(channel.id);
    const current = channel.id === currentChannelId.value;
    const label = channelLabel(channel);
    const href = channel.type === 'D' ?
        `/${encodeURIComponent(teamName)}/messages/@${encodeURIComponent(label)}` :
        channelPath(teamName, channel.name);
    const prefix = channel.type === 'P' ? 'private ' : '';
    const state = [mentions ? `${mentions} mention${mentions === 1 ? '' : 's'}` : '', unread && !mentions ? 'unread' : ''].filter(Boolean).join(', ');
    return (
        <li>
            <a href={href} class={`${unread || mentions ? 'unread' : ''} ${muted ? 'muted' : ''}`}
                aria-current={current ? 'page' : undefined}
                aria-label={`${prefix}${label}${state ? `, ${state}` : ''}`}
                onClick={(e) => { e.preventDefault(); navigate(href); }}>
                <span aria-hidden="true" class="sigil">{channel.type === 'D' ? '@' : channel.type === 'P' ? '🔒' : '#'}</span>
                <span class="name">{label}</span>
                {mentions > 0 && <span class="badge" aria-hidden="true">{mentions}</span>}
            </a>
        </li>
    );
}
