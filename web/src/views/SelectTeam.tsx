// Create a team or join an open one: where a new account starts.
import type {Team} from '@mattermost/types/teams';
import {useEffect, useState} from 'preact/hooks';

import {client, errorMessage} from '../api';
import {Field, FormError} from '../components/Field';
import {channelPath, navigate} from '../router';
import {loadTeams, me, teams} from '../state';

function slug(name: string): string {
    return name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
}

export function SelectTeam() {
    const [joinable, setJoinable] = useState<Team[] | null>(null);
    const [name, setName] = useState('');
    const [url, setUrl] = useState('');
    const [urlEdited, setUrlEdited] = useState(false);
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);

    useEffect(() => {
        client.getTeams(0, 200).then((list) => {
            const mine = new Set(teams.value.map((t) => t.id));
            const all = Array.isArray(list) ? list : list.teams;
            setJoinable(all.filter((t) => !mine.has(t.id) && t.delete_at === 0));
        }).catch(() => setJoinable([]));
    }, []);

    async function open(team: Team) {
        await loadTeams();
        navigate(channelPath(team.name, 'town-square'));
    }

    async function join(team: Team) {
        setError('');
        try {
            await client.addToTeam(team.id, me.value!.id);
            await open(team);
        } catch (err) {
            setError(errorMessage(err));
        }
    }

    async function create(e: Event) {
        e.preventDefault();
        setBusy(true);
        setError('');
        try {
            const team = await client.createTeam({display_name: name.trim(), name: url || slug(name), type: 'O'} as Team);
            await open(team);
        } catch (err) {
            setError(errorMessage(err));
            setBusy(false);
        }
    }

    return (
        <main class="auth" id="main">
            <div class="auth-card wide">
                <h1>Teams</h1>
                {teams.value.length > 0 && (
                    <section aria-labelledby="my-teams">
                        <h2 id="my-teams">Your teams</h2>
                        <ul class="team-list">
                            {teams.value.map((t) => (
                                <li key={t.id}>
                                    <a href={channelPath(t.name, 'town-square')} onClick={(e) => { e.preventDefault(); void open(t); }}>{t.display_name}</a>
                                </li>
                            ))}
                        </ul>
                    </section>
                )}
                <section aria-labelledby="join-team">
                    <h2 id="join-team">Join a team</h2>
                    {joinable === null && <p>Loading teams…</p>}
                    {joinable?.length === 0 && <p>There are no other teams you can join.</p>}
                    {joinable && joinable.length > 0 && (
                        <ul class="team-list">
                            {joinable.map((t) => (
                                <li key={t.id}>
                                    <span>{t.display_name}</span>
                                    <button type="button" onClick={() => join(t)} aria-label={`Join ${t.display_name}`}>Join</button>
                                </li>
                            ))}
                        </ul>
                    )}
                </section>
                <section aria-labelledby="create-team">
                    <h2 id="create-team">Create a team</h2>
                    <form onSubmit={create} noValidate>
                        <Field label="Team name" value={name} required
                            onInput={(v) => { setName(v); if (!urlEdited) { setUrl(slug(v)); } }} />
                        <Field label="Team URL" value={url} required
                            hint={`Lowercase letters, numbers and dashes: ${window.location.host}/${url || 'team'}`}
                            onInput={(v) => { setUrl(v); setUrlEdited(true); }} />
                        {error && <FormError message={error} />}
                        <button type="submit" class="primary" disabled={busy || !name.trim()}>{busy ? 'Creating…' : 'Create team'}</button>
                    </form>
                </section>
            </div>
        </main>
    );
}
