export function handler(): Response {
  throw new Error("boom from handler");
}
