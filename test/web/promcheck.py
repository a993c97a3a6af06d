#!/usr/bin/python3
# promcheck.py - validate Prometheus text exposition format 0.0.4 (stdin or FILE):
# HELP/TYPE comments, metric and label names, label value escapes, sample values,
# one TYPE per family, before its samples, samples of a family contiguous, no
# duplicate series, a final newline. Prints every problem as LINE: what; exit 1.
# (promtool is not packaged in Debian 12; this is the stand-in the tests use.)
import re
import sys

NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*'
TYPES = {'counter', 'gauge', 'histogram', 'summary', 'untyped'}
SUFFIXES = {'histogram': ('_bucket', '_sum', '_count'), 'summary': ('_sum', '_count')}


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
    types, helps, seen_series = {}, set(), set()
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
            else:
                if name in helps:
                    errs.append(f'{ln}: {name}: HELP twice')
                helps.add(name)
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
    return errs


def main():
    text = open(sys.argv[1]).read() if len(sys.argv) > 1 else sys.stdin.read()
    errs = check(text)
    for e in errs:
        print(e)
    return 1 if errs else 0


if __name__ == '__main__':
    sys.exit(main())
