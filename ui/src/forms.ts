// Pure helpers for the forms: what the person typed, checked before it is sent. The core checks
// again and has the last word; these only give quicker, kinder feedback.

export interface SetupForm {
  username: string;
  displayName: string;
  password: string;
  confirm: string;
}

/** Password length limits (NIST SP 800-63B), counted in characters as a person sees them. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;
export const USERNAME_MAX = 64;

/** Number of user-perceived characters (code points; good enough for limits). */
export function charCount(s: string): number {
  return [...s].length;
}

/** The first problem with the first-run form, as one sentence, or null when it may be sent. */
export function setupProblem(f: SetupForm): string | null {
  const username = f.username.normalize("NFC").trim();
  if (username === "") return "Enter a username.";
  if (charCount(username) > USERNAME_MAX) return `A username can have at most ${USERNAME_MAX} characters.`;
  if (charCount(f.password) < PASSWORD_MIN) return `The password needs at least ${PASSWORD_MIN} characters.`;
  if (charCount(f.password) > PASSWORD_MAX) return `The password can have at most ${PASSWORD_MAX} characters.`;
  if (f.password !== f.confirm) return "The two passwords are not the same.";
  return null;
}
