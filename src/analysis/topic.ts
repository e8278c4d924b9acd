// Topic names and topic filters (MQTT 3.1.1 §4.7, 5.0 §4.7 and §4.8.2 shared subscriptions).

/** Why a topic filter is invalid, or null when it is valid. */
export function topicFilterProblem(filter: string): string | null {
  if (filter.length === 0) return 'empty filter (MQTT-4.7.3-1)';
  if (filter.indexOf('\u0000') >= 0) return 'contains U+0000 (MQTT-4.7.3-2)';
  let levelStart = 0;
  for (let i = 0; i <= filter.length; i++) {
    if (i < filter.length && filter.charCodeAt(i) !== 0x2f) continue;
    const level = filter.slice(levelStart, i);
    if (level.includes('#') && (level !== '#' || i !== filter.length)) {
      return "'#' must be the last character and occupy a whole level (MQTT-4.7.1-2)";
    }
    if (level.includes('+') && level !== '+') return "'+' must occupy a whole level (MQTT-4.7.1-3)";
    levelStart = i + 1;
  }
  return null;
}

/** A shared subscription "$share/{group}/{filter}" (5.0 §4.8.2): its real filter, else null. */
export function sharedSubscriptionFilter(filter: string): string | null {
  if (!filter.startsWith('$share/')) return null;
  const slash = filter.indexOf('/', 7);
  return slash < 0 ? null : filter.slice(slash + 1);
}

/** True when the topic name contains a wildcard (MQTT-3.3.2-2). */
export function topicHasWildcard(topic: string): boolean {
  return topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0;
}

/** Does a (valid) topic filter match a topic name? '+' and '#' per §4.7.1; a filter starting
 *  with a wildcard does not match topics starting with '$' (MQTT-4.7.2-1). */
export function topicMatches(filter: string, topic: string): boolean {
  const fc0 = filter.charCodeAt(0);
  if (topic.charCodeAt(0) === 0x24 /* $ */ && (fc0 === 0x2b || fc0 === 0x23)) return false;
  let fi = 0;
  let ti = 0;
  const fl = filter.length;
  const tl = topic.length;
  for (;;) {
    if (fi >= fl) return ti >= tl; // only after a trailing '/' in the filter
    const c = filter.charCodeAt(fi);
    if (c === 0x23 /* # */) return true; // matches the parent level and everything below
    if (c === 0x2b /* + */) {
      // one whole level of the topic (possibly empty)
      while (ti < tl && topic.charCodeAt(ti) !== 0x2f) ti++;
      fi++;
    } else {
      // literal level
      while (fi < fl && ti < tl) {
        const fc = filter.charCodeAt(fi);
        if (fc === 0x2f) break;
        if (fc !== topic.charCodeAt(ti)) return false;
        fi++;
        ti++;
      }
      if (fi < fl && filter.charCodeAt(fi) !== 0x2f) return false;
      if (ti < tl && topic.charCodeAt(ti) !== 0x2f) return false;
    }
    // both at a separator or at the end
    const fEnd = fi >= fl;
    const tEnd = ti >= tl;
    if (fEnd && tEnd) return true;
    if (fEnd) return false;
    // filter has a '/' here
    if (tEnd) {
      // "a/#" matches "a": the filter's remainder is exactly "/#"
      return fi + 2 === fl && filter.charCodeAt(fi + 1) === 0x23;
    }
    fi++; // skip '/'
    ti++;
  }
}
