// Matches the default ignore pattern: the manifest generator must skip it. No tests inside.
export const notARoute = true;
