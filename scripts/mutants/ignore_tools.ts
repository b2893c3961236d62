/**
 * Issue 18, helper for src/tools and src/board: survivors that cannot change behaviour (see
 * ignore.ts for what belongs here).
 */
import type { Ignored } from "../mutate/sample.ts";

/** The list. */
export const IGNORED_TOOLS: Ignored[] = [
  {
    file: "src/tools/fleet_overview.ts",
    line: 115,
    column: 89,
    before: "1",
    after: "2",
    why: "the owners' comparator answers -2 instead of -1 for a name that comes first: the sort " +
      "reads only the sign",
  },
  {
    file: "src/tools/fleet_overview.ts",
    line: 115,
    column: 93,
    before: "1",
    after: "2",
    why: "the owners' comparator answers 2 instead of 1 for a name that comes later: the sort " +
      "reads only the sign",
  },
  {
    file: "src/tools/fleet_overview.ts",
    line: 115,
    column: 93,
    before: "1",
    after: "0",
    why: "the owners' comparator answers 0 instead of 1 for a name that comes later (counts " +
      "tied; names are keys, never equal): V8's sort (insertion, runs, merges, gallops) only " +
      "ever asks whether the answer is below 0, so 0 and 1 order alike",
  },
  // get_agent shows the agent cleanAgent made: a cap one above cleanAgent's own never cuts (one
  // below it does: tests/tools/get_agent_test.ts).
  {
    file: "src/tools/get_agent.ts",
    line: 63,
    column: 41,
    before: "200",
    after: "201",
    why:
      "the agent's name: cleanAgent (model/agent.ts) has already cut it to 200, and its owner to 64 then agentName to 40, so a cap of 201 (and the quote's 242) never cuts",
  },
  {
    file: "src/tools/get_agent.ts",
    line: 64,
    column: 90,
    before: "100",
    after: "101",
    why: "the agent's detail: cleanAgent (model/agent.ts) has already cut it to 100",
  },
  {
    file: "src/tools/get_agent.ts",
    line: 74,
    column: 37,
    before: "200",
    after: "201",
    why: "the pull request's title: cleanAgent (model/agent.ts) has already cut it to 200",
  },
  {
    file: "src/tools/get_agent.ts",
    line: 74,
    column: 86,
    before: "500",
    after: "501",
    why: "the pull request's url: cleanAgent (model/agent.ts) has already cut it to 500",
  },
  {
    file: "src/tools/get_agent.ts",
    line: 77,
    column: 61,
    before: "128",
    after: "129",
    why: "the template: cleanAgent (model/agent.ts) has already cut it to 128",
  },
  {
    file: "src/tools/get_agent.ts",
    line: 78,
    column: 64,
    before: "128",
    after: "129",
    why: "the workspace: cleanAgent (model/agent.ts) has already cut it to 128",
  },
  {
    file: "src/tools/get_agent.ts",
    line: 81,
    column: 76,
    before: "300",
    after: "299",
    why:
      "a label reaches get_agent as at most 265 characters (key 64 by cleanAgent, value 200 by chats/mapping.ts; tasks have none): a cap of 299 or 301 cuts none, as 300 does not",
  },
  {
    file: "src/tools/get_agent.ts",
    line: 81,
    column: 76,
    before: "300",
    after: "301",
    why:
      "a label reaches get_agent as at most 265 characters (key 64 by cleanAgent, value 200 by chats/mapping.ts; tasks have none): a cap of 299 or 301 cuts none, as 300 does not",
  },
  // get_logs.
  {
    file: "src/tools/get_logs.ts",
    line: 93,
    before: "after_id !== undefined",
    after: "true",
    why:
      "with no message and no after_id the answer's next_after_id is undefined instead of absent: the text tests the same undefined, and JSON (every transport) writes no undefined member",
  },
  {
    file: "src/tools/get_logs.ts",
    line: 85,
    column: 74,
    before: "200",
    after: "201",
    why:
      "the agent's name in get_logs' data: both back ends have already cut names to 200 (tasks/mapping.ts, chats NAME_MAX)",
  },
  {
    file: "src/tools/get_logs.ts",
    line: 96,
    column: 77,
    before: "500",
    after: "499",
    why:
      "a queued message: chats/logs.ts has already cut each to 200, so a cap of 499 cuts none, as 500 does not",
  },
  {
    file: "src/tools/get_logs.ts",
    line: 96,
    column: 77,
    before: "500",
    after: "501",
    why:
      "a queued message: chats/logs.ts has already cut each to 200, so a cap of 501 cuts none, as 500 does not",
  },
  // The role and time of a message, in get_agent and get_logs.
  {
    file: "src/tools/get_agent.ts",
    line: 96,
    column: 40,
    before: "20",
    after: "19",
    why:
      "a message's role is one of user, agent, system, tool (model/backend.ts; both back ends map Coder's words to them): at most 6 characters, so a cap of 19 or 21 cuts none, as 20 does not",
  },
  {
    file: "src/tools/get_agent.ts",
    line: 96,
    column: 40,
    before: "20",
    after: "21",
    why:
      "a message's role is one of user, agent, system, tool (model/backend.ts; both back ends map Coder's words to them): at most 6 characters, so a cap of 19 or 21 cuts none, as 20 does not",
  },
  {
    file: "src/tools/get_agent.ts",
    line: 96,
    column: 64,
    before: "40",
    after: "39",
    why:
      "a message's time is an ISO string from toISOString (model/time.ts isoTime), at most 27 characters: a cap of 39 or 41 cuts none, as 40 does not",
  },
  {
    file: "src/tools/get_agent.ts",
    line: 96,
    column: 64,
    before: "40",
    after: "41",
    why:
      "a message's time is an ISO string from toISOString (model/time.ts isoTime), at most 27 characters: a cap of 39 or 41 cuts none, as 40 does not",
  },
  {
    file: "src/tools/get_logs.ts",
    line: 102,
    column: 40,
    before: "20",
    after: "19",
    why:
      "a message's role is one of user, agent, system, tool (model/backend.ts; both back ends map Coder's words to them): at most 6 characters, so a cap of 19 or 21 cuts none, as 20 does not",
  },
  {
    file: "src/tools/get_logs.ts",
    line: 102,
    column: 40,
    before: "20",
    after: "21",
    why:
      "a message's role is one of user, agent, system, tool (model/backend.ts; both back ends map Coder's words to them): at most 6 characters, so a cap of 19 or 21 cuts none, as 20 does not",
  },
  {
    file: "src/tools/get_logs.ts",
    line: 102,
    column: 64,
    before: "40",
    after: "39",
    why:
      "a message's time is an ISO string from toISOString (model/time.ts isoTime), at most 27 characters: a cap of 39 or 41 cuts none, as 40 does not",
  },
  {
    file: "src/tools/get_logs.ts",
    line: 102,
    column: 64,
    before: "40",
    after: "41",
    why:
      "a message's time is an ISO string from toISOString (model/time.ts isoTime), at most 27 characters: a cap of 39 or 41 cuts none, as 40 does not",
  },
  // The board's rows, sorted by owner then name (src/board/rows.ts).
  {
    file: "src/board/rows.ts",
    line: 80,
    column: 26,
    before: "1",
    after: "2",
    why:
      "the board's comparator answers -2 instead of -1 (owner first): the sort reads only the sign",
  },
  {
    file: "src/board/rows.ts",
    line: 80,
    column: 50,
    before: "1",
    after: "0",
    why:
      "the board's comparator answers 0 instead of 1 where the owner comes later: V8's sort (insertion, runs, merges, gallops) only ever asks whether the answer is below 0, so 0 and 1 order alike",
  },
  {
    file: "src/board/rows.ts",
    line: 80,
    column: 50,
    before: "1",
    after: "2",
    why:
      "the board's comparator answers 2 instead of 1 (owner later): the sort reads only the sign",
  },
  {
    file: "src/board/rows.ts",
    line: 80,
    column: 73,
    before: "1",
    after: "2",
    why:
      "the board's comparator answers -2 instead of -1 (name first): the sort reads only the sign",
  },
  {
    file: "src/board/rows.ts",
    line: 80,
    column: 95,
    before: "1",
    after: "0",
    why:
      "the board's comparator answers 0 instead of 1 where the name comes later: V8's sort (insertion, runs, merges, gallops) only ever asks whether the answer is below 0, so 0 and 1 order alike",
  },
  {
    file: "src/board/rows.ts",
    line: 80,
    column: 95,
    before: "1",
    after: "2",
    why: "the board's comparator answers 2 instead of 1 (name later): the sort reads only the sign",
  },
  {
    file: "src/board/rows.ts",
    line: 80,
    column: 99,
    before: "0",
    after: "1",
    why:
      "the board's comparator answers 1 instead of 0 where owner and name are the same: V8's sort (insertion, runs, merges, gallops) only ever asks whether the answer is below 0, so 0 and 1 order alike",
  },
  {
    file: "src/board/rows.ts",
    line: 80,
    column: 77,
    before: "a.name > b.name",
    after: "false",
    why:
      "`a.name > b.name` is asked only once `a.name < b.name` is false, so it tells a later name (1) from the same name (0): V8's sort only ever asks whether the answer is below 0, so every edit of it orders alike",
  },
  {
    file: "src/board/rows.ts",
    line: 80,
    column: 77,
    before: "a.name > b.name",
    after: "true",
    why:
      "`a.name > b.name` is asked only once `a.name < b.name` is false, so it tells a later name (1) from the same name (0): V8's sort only ever asks whether the answer is below 0, so every edit of it orders alike",
  },
  {
    file: "src/board/rows.ts",
    line: 80,
    column: 77,
    before: "a.name > b.name",
    after: "a.name <= b.name",
    why:
      "`a.name > b.name` is asked only once `a.name < b.name` is false, so it tells a later name (1) from the same name (0): V8's sort only ever asks whether the answer is below 0, so every edit of it orders alike",
  },
  {
    file: "src/board/rows.ts",
    line: 80,
    column: 77,
    before: "a.name > b.name",
    after: "a.name >= b.name",
    why:
      "`a.name > b.name` is asked only once `a.name < b.name` is false, so it tells a later name (1) from the same name (0): V8's sort only ever asks whether the answer is below 0, so every edit of it orders alike",
  },
  // Cursors and row formatting.
  {
    file: "src/tools/cursor.ts",
    line: 14,
    column: 11,
    before: "2166136261",
    after: "2166136260",
    why:
      "the query fingerprint is only ever compared with another fingerprint made by the same function in the same build (decodeCursor): another FNV offset basis is just as deterministic, so every cursor still matches its own query and no other (short of a 32-bit hash collision)",
  },
  {
    file: "src/tools/cursor.ts",
    line: 14,
    column: 11,
    before: "2166136261",
    after: "2166136262",
    why:
      "the query fingerprint is only ever compared with another fingerprint made by the same function in the same build (decodeCursor): another FNV offset basis is just as deterministic, so every cursor still matches its own query and no other (short of a 32-bit hash collision)",
  },
  {
    file: "src/tools/cursor.ts",
    line: 15,
    column: 16,
    before: "0",
    after: "(-1)",
    why:
      "the query fingerprint is only ever compared with another fingerprint made by the same function in the same build (decodeCursor): starting at index -1 mixes in one NaN (as 0) first, the same for every query, so every cursor still matches its own query and no other (short of a 32-bit hash collision)",
  },
  {
    file: "src/tools/cursor.ts",
    line: 15,
    column: 16,
    before: "0",
    after: "1",
    why:
      "the query fingerprint is only ever compared with another fingerprint made by the same function in the same build (decodeCursor): skipping the first character skips the `{` every query's JSON starts with (the query is always an object), so every cursor still matches its own query and no other (short of a 32-bit hash collision)",
  },
  {
    file: "src/tools/cursor.ts",
    line: 15,
    column: 19,
    before: "i < s.length",
    after: "i <= s.length",
    why:
      "the query fingerprint is only ever compared with another fingerprint made by the same function in the same build (decodeCursor): one more round mixes in one NaN (as 0) at the end, the same for every query, so every cursor still matches its own query and no other (short of a 32-bit hash collision)",
  },
  {
    file: "src/tools/cursor.ts",
    line: 15,
    column: 73,
    before: "16777619",
    after: "16777618",
    why:
      "the query fingerprint is only ever compared with another fingerprint made by the same function in the same build (decodeCursor): another multiplier is just as deterministic, so every cursor still matches its own query and no other (short of a 32-bit hash collision)",
  },
  {
    file: "src/tools/cursor.ts",
    line: 15,
    column: 73,
    before: "16777619",
    after: "16777620",
    why:
      "the query fingerprint is only ever compared with another fingerprint made by the same function in the same build (decodeCursor): another multiplier is just as deterministic, so every cursor still matches its own query and no other (short of a 32-bit hash collision)",
  },
  {
    file: "src/tools/cursor.ts",
    line: 16,
    column: 17,
    before: "0",
    after: "1",
    why:
      "the query fingerprint is only ever compared with another fingerprint made by the same function in the same build (decodeCursor): dropping the hash's lowest bit keeps it deterministic (a collision goes from 2^-32 to 2^-31), so every cursor still matches its own query and no other (short of a 32-bit hash collision)",
  },
  {
    file: "src/tools/cursor.ts",
    line: 16,
    column: 29,
    before: "36",
    after: "35",
    why:
      "the query fingerprint is only ever compared with another fingerprint made by the same function in the same build (decodeCursor): base 35 writes the same number in other digits, one-to-one, so every cursor still matches its own query and no other (short of a 32-bit hash collision)",
  },
  {
    file: "src/tools/format.ts",
    line: 29,
    column: 73,
    before: "41",
    after: "42",
    why:
      "agentName's quote cap: the owner is cut to 40 and the name to max, so `owner/name` is at most max + 41 characters and a cap of max + 42 never cuts either (max + 40 does: tests/tools/format_test.ts)",
  },
];
