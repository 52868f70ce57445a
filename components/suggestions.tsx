import type { Suggestion } from "../core/suggestions.ts";
import { CsrfField } from "./csrf_field.tsx";

/**
 * What a run's failing values suggest (`core/suggestions.ts`): each with a one-click "Apply to
 * this run" (a plain POST form of the review page, `intent=suggestion`) and the config line that
 * would make it permanent. Applied ones say so.
 */
export function Suggestions(
  { suggestions, canApply, csrfToken }: {
    suggestions: readonly Suggestion[];
    canApply: boolean;
    csrfToken: string | null;
  },
) {
  if (suggestions.length === 0) return null;
  return (
    <section class="suggestions" aria-labelledby="suggestions-title">
      <h2 id="suggestions-title">Suggestions from the data</h2>
      <ul>
        {suggestions.map((s) => (
          <li key={s.id}>
            <strong>{s.label}</strong> in <code>{s.column}</code> {s.applied
              ? <span class="muted">(applied to this run)</span>
              : canApply && (
                <form method="post" class="inline-form">
                  <CsrfField token={csrfToken} />
                  <input type="hidden" name="suggestion" value={s.id} />
                  <button type="submit" name="intent" value="suggestion">Apply to this run</button>
                </form>
              )}
            <div class="muted">
              To make it permanent, add to the column's config: <code>{s.config}</code>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
