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

/** A sentence to translate: its message id and the figures to put in it (a plural message's
 * number is its `count`). */
export interface Problem {
  id: string;
  vars: Record<string, number>;
}

/** The first problem with the first-run form, or null when it may be sent. */
export function setupProblem(f: SetupForm): Problem | null {
  const username = f.username.normalize("NFC").trim();
  const problem = (id: string, vars: Record<string, number> = {}) => ({ id, vars });
  if (username === "") return problem("Enter a username.");
  if (charCount(username) > USERNAME_MAX) return problem("A username can have at most {count} characters.", { count: USERNAME_MAX });
  if (charCount(f.password) < PASSWORD_MIN) return problem("The password needs at least {count} characters.", { count: PASSWORD_MIN });
  if (charCount(f.password) > PASSWORD_MAX) return problem("The password can have at most {count} characters.", { count: PASSWORD_MAX });
  if (f.password !== f.confirm) return problem("The two passwords are not the same.");
  return null;
}
