// Sign-up, and the first-run path: on a server without accounts the first account becomes the
// system admin, which needs this machine or the setup code the server printed at start.
import {useState} from 'preact/hooks';

import {client, errorMessage} from '../api';
import {Field, FormError} from '../components/Field';
import {navigate} from '../router';
import {config, loadMe, loadTeams} from '../state';

export function Signup({inviteId}: {inviteId: string}) {
    const firstRun = config.value.NoAccounts === 'true';
    const [email, setEmail] = useState('');
    const [username, setUsername] = useState('');
    const [password, setPassword] = useState('');
    const [setupCode, setSetupCode] = useState('');
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);

    async function submit(e: Event) {
        e.preventDefault();
        setBusy(true);
        setError('');
        try {
            const user = {email: email.trim(), username: username.trim(), password, setup_code: setupCode.trim()};
            // Client4 sends the object as the body; the server ignores setup_code once it has accounts.
            await client.createUser(user as never, '', inviteId);
            await client.login(user.username, password);
            await loadMe();
            await loadTeams();
            await navigateHome();
        } catch (err) {
            setError(errorMessage(err));
            setBusy(false);
        }
    }

    return (
        <main class="auth" id="main">
            <div class="auth-card">
                <h1>{firstRun ? 'Set up Townsquare' : 'Create your account'}</h1>
                {firstRun && (
                    <p>
                        This server has no accounts yet. The account you create now becomes its
                        system administrator.
                    </p>
                )}
                <form onSubmit={submit} noValidate>
                    <Field label="Email" type="email" value={email} onInput={setEmail} autoComplete="email" required autoFocus />
                    <Field label="Username" value={username} onInput={setUsername} autoComplete="username" required
                        hint="Lowercase letters, numbers, and . - _ (3 to 22 characters)." />
                    <Field label="Password" type="password" value={password} onInput={setPassword} autoComplete="new-password" required />
                    {firstRun && (
                        <Field label="Setup code" value={setupCode} onInput={setSetupCode} autoComplete="off"
                            hint="Printed in the server's log when it started. Not needed in a browser on the server's own machine." />
                    )}
                    {error && <FormError message={error} />}
                    <button type="submit" class="primary" disabled={busy}>{busy ? 'Creating…' : 'Create account'}</button>
                </form>
                {!firstRun && (
                    <p>
                        Already have an account? <a href="/login" onClick={(e) => { e.preventDefault(); navigate('/login'); }}>Log in</a>
                    </p>
                )}
            </div>
        </main>
    );
}

async function navigateHome() {
    await client.getClientConfig().then((c) => { config.value = c; }).catch(() => undefined);
    navigate('/', true);
}
