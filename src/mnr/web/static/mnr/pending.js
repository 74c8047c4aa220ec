// Answers not saved yet, kept in this browser until the server has them.
//
// One localStorage entry per user, submission and question:
//   mnr:pending:<user id>:<submission id>:<question code> →
//   {"fields": {field: value}, "version": <the answer's version the change was made to>,
//    "conflict": <the answer someone else saved meanwhile, until the user chooses>}
// Keyed by user so that the next person signing in on this browser is never shown them; every
// mnr entry is removed when someone signs out (session.js).

const PREFIX = "mnr:";
const PENDING = `${PREFIX}pending:`;

// localStorage can be missing or refuse writes (private windows, full quota): fall back to
// memory, which still saves as you go but no longer survives a closed tab.
const memory = new Map();
const store = {
  keys() {
    try {
      return Array.from({ length: localStorage.length }, (_, i) => localStorage.key(i));
    } catch {
      return Array.from(memory.keys());
    }
  },
  get(key) {
    try {
      return localStorage.getItem(key);
    } catch {
      return memory.get(key) ?? null;
    }
  },
  set(key, value) {
    try {
      localStorage.setItem(key, value);
    } catch {
      memory.set(key, value);
    }
  },
  remove(key) {
    try {
      localStorage.removeItem(key);
    } catch {
      /* memory below */
    }
    memory.delete(key);
  },
};

function isEntry(entry) {
  return entry && typeof entry === "object" && entry.fields && typeof entry.fields === "object";
}

/** The pending answers of one user for one submission. */
export class Pending {
  constructor(user, submission) {
    this.prefix = `${PENDING}${user}:${submission}:`;
  }

  key(code) {
    return this.prefix + code;
  }

  read(code) {
    try {
      const entry = JSON.parse(store.get(this.key(code)));
      return isEntry(entry) ? entry : null;
    } catch {
      return null;
    }
  }

  write(code, entry) {
    if (Object.keys(entry.fields).length || entry.conflict) {
      store.set(this.key(code), JSON.stringify(entry));
    } else {
      store.remove(this.key(code));
    }
  }

  remove(code) {
    store.remove(this.key(code));
  }

  /** {questionCode: entry} for every answer kept for this submission. */
  all() {
    const entries = {};
    for (const key of store.keys()) {
      if (!key || !key.startsWith(this.prefix)) continue;
      const code = key.slice(this.prefix.length);
      const entry = this.read(code);
      if (entry && (Object.keys(entry.fields).length || entry.conflict)) entries[code] = entry;
      else store.remove(key);
    }
    return entries;
  }

  /** Keep a changed field; ``version`` is that of the answer the user was changing. */
  remember(code, field, value, version) {
    const entry = this.read(code) ?? { fields: {}, version };
    entry.fields[field] = value;
    this.write(code, entry);
  }

  /** Forget the fields the server saved, unless they changed again meanwhile; what is left
   * was changed on top of the saved answer, so it is now based on its new ``version``. */
  forget(code, saved, version) {
    const entry = this.read(code);
    if (!entry) return;
    for (const [field, value] of Object.entries(saved)) {
      if (entry.fields[field] === value) delete entry.fields[field];
    }
    if (Number.isInteger(version)) entry.version = version;
    this.write(code, entry);
  }
}

/** How many answers are kept, not yet saved, for ``user``. */
export function pendingCount(user) {
  const prefix = `${PENDING}${user}:`;
  return store.keys().filter((key) => key && key.startsWith(prefix)).length;
}

/** Remove everything mnr keeps in this browser, for every user. */
export function clearAll() {
  for (const key of store.keys()) {
    if (key && key.startsWith(PREFIX)) store.remove(key);
  }
}

// Pages that can still save something before the user signs out register here.
const beforeSignOut = [];

export function onSignOut(save) {
  beforeSignOut.push(save);
}

export async function saveBeforeSignOut() {
  for (const save of beforeSignOut) {
    try {
      await save();
    } catch {
      /* what is not saved is counted and the user is asked */
    }
  }
}
