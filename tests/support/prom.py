"""A strict reader of the Prometheus text exposition format (version 0.0.4), for tests.

parse(text) checks every line and raises ValueError naming the first bad one:
HELP/TYPE comments, sample syntax, label escaping, a TYPE before a family's samples,
families that do not repeat, no duplicate series, and histograms whose buckets are
cumulative and end in +Inf equal to _count.
"""

import math
import re

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_SAMPLE = re.compile(rf"^({_NAME})(?:\{{(.*)\}})? (\S+)(?: (-?\d+))?$")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)')
_HELP = re.compile(rf"^# HELP ({_NAME}) (.*)$")
_TYPE = re.compile(rf"^# TYPE ({_NAME}) (counter|gauge|histogram|summary|untyped)$")
_SUFFIXES = {"histogram": ("_bucket", "_sum", "_count"), "summary": ("", "_sum", "_count")}


def _unescape(v):
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), v)


def _number(text, line):
    if text in ("+Inf", "Inf"):
        return math.inf
    if text == "-Inf":
        return -math.inf
    if text == "NaN":
        return math.nan
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"bad value {text!r} in line: {line}") from None


class Family:
    def __init__(self, name, type_, help_):
        self.name, self.type, self.help = name, type_, help_
        self.samples = []  # (sample name, {label: value}, value)


class Exposition:
    def __init__(self):
        self.families = {}

    def samples(self, name, **labels):
        """Samples named `name` whose labels include `labels`."""
        out = []
        for fam in self.families.values():
            for sname, slabels, value in fam.samples:
                if sname == name and all(slabels.get(k) == v for k, v in labels.items()):
                    out.append((slabels, value))
        return out

    def value(self, name, **labels):
        """Sum of the samples named `name` whose labels include `labels` (0 when none)."""
        return sum(v for _, v in self.samples(name, **labels))


def parse(text):
    expo = Exposition()
    current = None
    seen_series = set()
    helps = {}
    if text and not text.endswith("\n"):
        raise ValueError("exposition does not end with a newline")
    for line in text.splitlines():
        if not line:
            raise ValueError("empty line")
        if line.startswith("#"):
            m = _HELP.match(line)
            if m:
                if m.group(1) in helps:
                    raise ValueError(f"second HELP for {m.group(1)}")
                helps[m.group(1)] = m.group(2)
                continue
            m = _TYPE.match(line)
            if not m:
                raise ValueError(f"bad comment line: {line}")
            name = m.group(1)
            if name in expo.families:
                raise ValueError(f"family {name} appears twice")
            current = expo.families[name] = Family(name, m.group(2), helps.get(name))
            continue
        m = _SAMPLE.match(line)
        if not m:
            raise ValueError(f"bad sample line: {line}")
        sname, raw_labels, raw_value = m.group(1), m.group(2), m.group(3)
        labels = {}
        if raw_labels:
            pos = 0
            while pos < len(raw_labels):
                lm = _LABEL.match(raw_labels, pos)
                if not lm:
                    raise ValueError(f"bad labels at {raw_labels[pos:]!r} in line: {line}")
                if lm.group(1) in labels:
                    raise ValueError(f"label {lm.group(1)} twice in line: {line}")
                labels[lm.group(1)] = _unescape(lm.group(2))
                pos = lm.end()
        if current is None:
            raise ValueError(f"sample before any TYPE: {line}")
        allowed = [current.name + s for s in _SUFFIXES.get(current.type, ("",))]
        if sname not in allowed:
            raise ValueError(f"sample {sname} does not belong to family {current.name}: {line}")
        key = (sname, tuple(sorted(labels.items())))
        if key in seen_series:
            raise ValueError(f"duplicate series: {line}")
        seen_series.add(key)
        current.samples.append((sname, labels, _number(raw_value, line)))
    for fam in expo.families.values():
        if fam.type == "histogram":
            _check_histogram(fam)
    return expo


def _check_histogram(fam):
    groups = {}
    for sname, labels, value in fam.samples:
        base = tuple(sorted((k, v) for k, v in labels.items() if k != "le"))
        g = groups.setdefault(base, {"buckets": [], "count": None, "sum": None})
        if sname.endswith("_bucket"):
            if "le" not in labels:
                raise ValueError(f"{sname} without le")
            g["buckets"].append((_number(labels["le"], sname), value))
        elif sname.endswith("_count"):
            g["count"] = value
        else:
            g["sum"] = value
    for base, g in groups.items():
        if g["count"] is None or g["sum"] is None or not g["buckets"]:
            raise ValueError(f"{fam.name}{dict(base)} lacks _bucket, _sum or _count")
        bounds = [b for b, _ in g["buckets"]]
        if bounds != sorted(bounds) or bounds[-1] != math.inf:
            raise ValueError(f"{fam.name}{dict(base)} buckets not ascending to +Inf")
        counts = [c for _, c in g["buckets"]]
        if any(b < a for a, b in zip(counts, counts[1:])):
            raise ValueError(f"{fam.name}{dict(base)} buckets are not cumulative")
        if counts[-1] != g["count"]:
            raise ValueError(f"{fam.name}{dict(base)} +Inf bucket differs from _count")
