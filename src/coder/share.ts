/**
 * A call's fair share of a route's minute. The rate limiter keeps every route under its rate a
 * minute for the whole process; without a share, one call (a wait naming a thousand unknown ids,
 * each looked up on its own) could spend a route's whole minute in a fraction of a second and
 * leave every other call failing on that route until the window slid. So a call may take a slot
 * on a route only while it has sent fewer requests there, within the window, than what is left of
 * the route's minute: a greedy call takes half of what is left, the next half of the rest, and
 * so on. Every call may send {@link CALL_FLOOR} requests to a route while it has room, so a
 * small call always gets through where anything is left.
 */

/** Requests a call may always send to a route within a window, while the route has room. */
export const CALL_FLOOR = 8;

/** Whether a call with `mine` sends in the window may take a slot when `left` are left. */
export function withinShare(mine: number, left: number): boolean {
  return mine < Math.max(CALL_FLOOR, left);
}

/**
 * Milliseconds until a call may send to a route again under its share (0: now), given the
 * route's send times and the call's own within the window (both ascending; the call's are among
 * the route's), the route's rate and window, as those sends slide out of the window.
 */
export function shareWait(
  route: readonly number[],
  mine: readonly number[],
  now: number,
  rate: number,
  windowMs: number,
): number {
  if (withinShare(mine.length, rate - route.length)) return 0;
  let j = 0;
  for (let i = 0; i < route.length; i++) {
    // The route's sends leave in order; the call's own up to `at` have left with them (those of
    // one instant together: a later index of the same instant only frees more room, same `at`).
    const at = route[i];
    while (j < mine.length && mine[j] <= at) j++;
    if (withinShare(mine.length - j, rate - (route.length - i - 1))) {
      return at + windowMs - now; // > 0: `at` is within the window
    }
  }
  return 0;
}
