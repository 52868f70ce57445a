/** A function handler answers every method. */
export function handler(req: Request): Response {
  return new Response(`${req.method} echo`);
}
