// Kubernetes label selectors (metav1.LabelSelector and the plain maps of ReplicationControllers and
// Services): whether one selects a set of labels, which labels it depends on, and how to print it.
// Pure; the semantics are apimachinery's (pkg/apis/meta/v1/helpers.go, pkg/labels/selector.go).

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export type Labels = Readonly<Record<string, string>>;

/** A ReplicationController's or Service's `selector` map as a LabelSelector. */
export function selectorFromMap(map: Record<string, string> | undefined | null): LabelSelector {
  return { matchLabels: { ...(map ?? {}) } };
}

/** Whether the selector has no requirement at all (it then selects every pod). */
export function isEmptySelector(sel: LabelSelector): boolean {
  return Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
}

function requirementMatches(req: LabelSelectorRequirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = has ? labels[req.key] : undefined;
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return has && values.includes(value as string);
    case 'NotIn':
      return !has || !values.includes(value as string);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default:
      // The API server rejects other operators; a controller could not parse such a selector either.
      return false;
  }
}

/** Whether `sel` selects a pod with these labels. An empty selector selects everything. */
export function selectorMatches(sel: LabelSelector, labels: Labels): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    if (!Object.prototype.hasOwnProperty.call(labels, k) || labels[k] !== v) return false;
  }
  return (sel.matchExpressions ?? []).every((r) => requirementMatches(r, labels));
}

/**
 * The label keys whose removal makes a matching selector stop matching: those of `matchLabels`, `In`
 * and `Exists`. Removing a label never breaks `NotIn` or `DoesNotExist` (an absent label satisfies
 * them), so a selector with none of these keys keeps selecting a pod whatever labels it loses.
 */
export function requiredKeys(sel: LabelSelector): string[] {
  const keys = new Set(Object.keys(sel.matchLabels ?? {}));
  for (const r of sel.matchExpressions ?? []) {
    if (r.operator === 'In' || r.operator === 'Exists') keys.add(r.key);
  }
  return [...keys].sort();
}

/** `app=web,tier in (a,b),!legacy` — as `kubectl get -o wide` prints selectors. */
export function describeSelector(sel: LabelSelector): string {
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const r of sel.matchExpressions ?? []) {
    const values = (r.values ?? []).join(',');
    switch (r.operator) {
      case 'In':
        parts.push(`${r.key} in (${values})`);
        break;
      case 'NotIn':
        parts.push(`${r.key} notin (${values})`);
        break;
      case 'Exists':
        parts.push(r.key);
        break;
      case 'DoesNotExist':
        parts.push(`!${r.key}`);
        break;
      default:
        parts.push(`${r.key} ${r.operator} (${values})`);
    }
  }
  return parts.length > 0 ? parts.join(',') : '(everything)';
}
