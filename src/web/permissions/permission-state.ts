// How an action's button looks from the server's answer (GET …/pods/:pod/permissions). Pure.
import type { ActionPermission } from '../../shared/permissions/api.js';

export interface ButtonState {
  /** Not offered here at all: leave the control out. */
  hidden: boolean;
  disabled: boolean;
  /** Shown beside a disabled control (and its accessible description); null when enabled. */
  reason: string | null;
}

/**
 * Unknown (loading, or the question failed) is shown as allowed: the server decides anyway when the
 * action is asked for, and a button that flickers off while loading helps nobody.
 */
export function buttonState(permission: ActionPermission | null | undefined): ButtonState {
  if (!permission) return { hidden: false, disabled: false, reason: null };
  if (!permission.offered) return { hidden: true, disabled: true, reason: permission.reason };
  if (!permission.allowed)
    return { hidden: false, disabled: true, reason: permission.reason ?? 'Not allowed.' };
  return { hidden: false, disabled: false, reason: null };
}
