// A labelled input: the label is always visible and tied to the input, hints and errors are
// announced with it (aria-describedby).
import {useId} from 'preact/hooks';

type Props = {
    label: string;
    hint?: string;
    value: string;
    onInput: (value: string) => void;
    type?: 'text' | 'email' | 'password';
    autoComplete?: string;
    required?: boolean;
    autoFocus?: boolean;
};

export function Field({label, hint, value, onInput, type = 'text', autoComplete, required, autoFocus}: Props) {
    const id = useId();
    return (
        <div class="field">
            <label for={id}>{label}</label>
            <input
                id={id}
                value={value}
                onInput={(e) => onInput(e.currentTarget.value)}
                aria-describedby={hint ? `${id}-hint` : undefined}
                type={type as 'text'}
                autoComplete={autoComplete}
                required={required}
                autoFocus={autoFocus}
            />
            {hint && <p id={`${id}-hint`} class="hint">{hint}</p>}
        </div>
    );
}

/** A form's error, announced as soon as it appears. */
export function FormError({message}: {message: string}) {
    return (
        <p class="form-error" role="alert">
            {message}
        </p>
    );
}
