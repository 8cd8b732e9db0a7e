import type { LoginStep } from '../core/login-progress.js';

// The login screen's state: the steps reported so far and whether the login finished. Pure, tested without Ink.

export interface LoginViewState {
  steps: LoginStep[];
  /** Set once the login returned: its exit code. */
  exitCode?: number;
}

export type LoginAction = { type: 'step'; step: LoginStep } | { type: 'finished'; exitCode: number };

export const initialLoginState: LoginViewState = { steps: [] };

export function loginReducer(state: LoginViewState, action: LoginAction): LoginViewState {
  if (action.type === 'finished') return { ...state, exitCode: action.exitCode };
  return { ...state, steps: [...state.steps, action.step] };
}

/** What the person is waiting on: a browser sign-in or a device approval still outstanding. */
export function waitingFor(state: LoginViewState): 'browser' | 'device' | 'provider' | undefined {
  if (state.exitCode !== undefined) return undefined;
  const last = state.steps.at(-1);
  if (last?.kind === 'open-url') return 'browser';
  if (last?.kind === 'device-code') return 'device';
  if (last?.kind === 'start' || last?.kind === 'tokens') return 'provider';
  return undefined;
}

/** "9:05" left until the device code expires; "0:00" once it has. */
export function countdown(expiresAt: string, now: Date): string {
  const left = Math.max(0, Math.ceil((Date.parse(expiresAt) - now.getTime()) / 1000));
  return `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
}
