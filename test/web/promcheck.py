#!/usr/bin/python3
# promcheck.py - validate Prometheus text exposition format 0.0.4 (stdin or FILE):
# HELP/TYPE comments, metric and label names, label value escapes, sample values,
# one TYPE per family, before its samples, samples of a family contiguous, no
# duplicate series, a final newline. Also the naming rules Prometheus users expect
# (https://prometheus.io/docs/practices/naming/, promtool's lint): one HELP per family
# with text of its own (two families never share one), counters end in _total and
# only counters do, counter values are not negative, base units (seconds, bytes,
# ratio: no _ms, _percent, _kb ...), timestamps in _seconds, _info families are gauges
# of value 1, no label names starting with __. Prints every problem as LINE: what;
# exit 1. (promtool is not packaged in Debian 12; this is the stand-in the tests use.)
import re
import sys

NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*'
TYPES = {'counter', 'gauge', 'histogram', 'summary', 'untyped'}
SUFFIXES = {'histogram': ('_bucket', '_sum', '_count'), 'summary': ('_sum', '_count')}
# not base units: seconds, bytes, ratios (0..1), not these
BAD_UNITS = ('_ms', '_msec', '_millis', '_milliseconds', '_us', '_microseconds', '_ns',
             '_nanoseconds', '_minutes', '_hours', '_days', '_percent', '_pct', '_kb', '_kib',
             '_mb', '_mib', '_gb', '_kbytes', '_mbytes', '_bits')


def naming(types, helps, help_lines, type_lines, counter_values):
    """the naming rules, per family; returns [(line, message)]"""
    errs = []
    for name, t in types.items():
        ln = type_lines[name]
        base = name[:-len('_total')] if name.endswith('_total') else name
        if t == 'counter' and not name.endswith('_total'):
            errs.append((ln, f'{name}: a counter\'s name ends in _total'))
        if t != 'counter' and name.endswith('_total'):
            errs.append((ln, f'{name}: _total is for counters, this is a {t}'))
        for u in BAD_UNITS:
            if base.endswith(u) or (u + '_') in base:
                errs.append((ln, f'{name}: use base units (seconds, bytes, a 0..1 ratio), not {u[1:]}'))
                break
        if ('timestamp' in name or name.endswith('_time')) and not base.endswith('_seconds'):
            errs.append((ln, f'{name}: a timestamp is in seconds since the epoch: end it in _seconds'))
        if name.endswith('_info') and t != 'gauge':
            errs.append((ln, f'{name}: an _info family is a gauge'))
        if name not in helps:
            errs.append((ln, f'{name}: no HELP line; say what it is'))
    by_text = {}
    for name, text in helps.items():
        if not text.strip():
            errs.append((help_lines[name], f'{name}: empty HELP text; say what it is'))
        else:
            by_text.setdefault(text.strip(), []).append(name)
    for text, names in by_text.items():
        if len(names) > 1:
            errs.append((help_lines[names[1]], f'{", ".join(sorted(names))}: the same HELP text '
                         f'"{text[:40]}"; say what each one is'))
    for (name, ln, v) in counter_values:
        if v != v or v < 0:
            errs.append((ln, f'{name}: a counter is never negative or NaN ({v})'))
    return errs


def value_ok(v):
    if v in ('NaN', '+Inf', '-Inf', 'Inf'):
        return True
    try:
        float(v)
        return re.fullmatch(r'[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?', v) is not None
    except ValueError:
        return False


def parse_labels(s, errs, ln):
    """s starts after '{'; returns (labels, rest after '}') or None"""
    labels, i = [], 0
    while True:
        if s[i:i + 1] == '}':
            return labels, s[i + 1:]
        m = re.match(LABEL, s[i:])
        if not m:
            errs.append(f'{ln}: bad label name at "{s[i:i + 20]}"')
            return None
        name = m.group(0)
        i += len(name)
        if s[i:i + 2] != '="':
            errs.append(f'{ln}: label {name}: expected ="')
            return None
        i += 2
        val = []
        while True:
            if i >= len(s):
                errs.append(f'{ln}: label {name}: unterminated value')
                return None
            c = s[i]
            if c == '\\':
                if s[i + 1:i + 2] not in ('\\', '"', 'n'):
                    errs.append(f'{ln}: label {name}: bad escape \\{s[i + 1:i + 2]}')
                    return None
                val.append(s[i:i + 2])
                i += 2
                continue
            if c == '\n':
                errs.append(f'{ln}: label {name}: raw newline')
                return None
            if c == '"':
                i += 1
                break
            val.append(c)
            i += 1
        if name in (l[0] for l in labels):
            errs.append(f'{ln}: label {name} twice')
        labels.append((name, ''.join(val)))
        if s[i:i + 1] == ',':
            i += 1


def check(text):
    errs = []
    types, helps, seen_series = {}, {}, set()
    help_lines, type_lines, counter_values = {}, {}, []
    done_families, current = set(), None
    if text and not text.endswith('\n'):
        errs.append('end: the last line has no newline')
    samples = 0
    for ln, line in enumerate(text.split('\n')[:-1] if text.endswith('\n') else text.split('\n'), 1):
        if line == '':
            continue
        if line.startswith('#'):
            m = re.fullmatch(r'# (HELP|TYPE) (' + NAME + r') ?(.*)', line)
            if not m:
                if re.match(r'# (HELP|TYPE)', line):
                    errs.append(f'{ln}: malformed {line[2:6]} line')
                continue  # other comments are allowed
            kind, name, rest = m.groups()
            if kind == 'TYPE':
                if rest not in TYPES:
                    errs.append(f'{ln}: {name}: unknown type "{rest}"')
                if name in types:
                    errs.append(f'{ln}: {name}: TYPE twice')
                if name in done_families or name == current:
                    errs.append(f'{ln}: {name}: TYPE after its samples')
                types[name] = rest
                type_lines.setdefault(name, ln)
            else:
                if name in helps:
                    errs.append(f'{ln}: {name}: HELP twice')
                helps[name] = rest
                help_lines.setdefault(name, ln)
            continue
        m = re.match(NAME, line)
        if not m:
            errs.append(f'{ln}: not a sample: {line[:60]}')
            continue
        name, rest = m.group(0), line[m.end():]
        labels = []
        if rest.startswith('{'):
            r = parse_labels(rest[1:], errs, ln)
            if r is None:
                continue
            labels, rest = r
        parts = rest.split(' ')
        if len(parts) not in (2, 3) or parts[0] != '':
            errs.append(f'{ln}: {name}: expected " VALUE [TIMESTAMP]"')
            continue
        if not value_ok(parts[1]):
            errs.append(f'{ln}: {name}: bad value "{parts[1]}"')
        for lname, _ in labels:
            if lname.startswith('__'):
                errs.append(f'{ln}: {name}: label names starting with __ are reserved')
        if types.get(name) == 'counter' and value_ok(parts[1]):
            counter_values.append((name, ln, float(parts[1])))
        if name.endswith('_info') and types.get(name) == 'gauge' and parts[1] not in ('1', '1.0'):
            errs.append(f'{ln}: {name}: an _info sample is 1 (the labels carry the information)')
        if len(parts) == 3 and not re.fullmatch(r'-?\d+', parts[2]):
            errs.append(f'{ln}: {name}: bad timestamp "{parts[2]}"')
        family = name
        for fam, t in types.items():
            if any(name == fam + s for s in SUFFIXES.get(t, ())):
                family = fam
        if family not in types:
            errs.append(f'{ln}: {name}: sample without a TYPE line before it')
        if family != current:
            if family in done_families:
                errs.append(f'{ln}: {family}: samples not together')
            if current:
                done_families.add(current)
            current = family
        key = (name, tuple(sorted(labels)))
        if key in seen_series:
            errs.append(f'{ln}: {name}{dict(labels)}: the same series twice')
        seen_series.add(key)
        samples += 1
    if not samples:
        errs.append('no samples')
    errs += [f'{ln}: {msg}' for ln, msg in sorted(naming(types, helps, help_lines, type_lines,
                                                          counter_values))]
    return errs


def main():
    text = open(sys.argv[1]).read() if len(sys.argv) > 1 else sys.stdin.read()
    errs = check(text)
    for e in errs:
        print(e)
    return 1 if errs else 0


if __name__ == '__main__':
    sys.exit(main())
