#!/usr/bin/env python3
# ruff: noqa
# fmt: off
# Vendored verbatim from the team's W3C conformance material (/work/shared/w3c/validate.py);
# only these three header lines were added. Do not edit: refresh it from the source.
"""Validate a Web Annotation (or AnnotationPage / AnnotationCollection) JSON-LD
document against the official W3C Web Annotation Data Model test assertions.

The assertions are the JSON Schema (draft-04) files of w3c/web-annotation-tests
(the same files that web-platform-tests/wpt runs under annotation-model/),
copied verbatim into ./web-annotation-tests/ (see PROVENANCE.md).

This script mirrors how the WPT harness (annotation-model/scripts/JSONtest.js)
runs them:
  * one ".test" file = one test group, holding an ordered list of assertions
    (schema files, inline schemas, or nested lists);
  * each assertion is validated on its own; "expectedResult" (valid|invalid,
    default valid) decides pass/fail; "onUnexpectedResult"
    (failAndContinue|failAndSkip|failAndAbort|passAnd...) decides whether the
    later assertions of the list still run;
  * "assertionType" (must|should|may, default must) is the severity.
  * formats "date-time" and "uri" are checked with the same regexes as ajv's
    default ("fast") format mode, which the WPT harness used.

Groups run per document type:
  Annotation           annotationMusts, annotationOptionals, annotationsAgentOptionals
  AnnotationCollection collectionMusts, collectionOptionals
  AnnotationPage       pageMusts, pageOptionals
By default embedded objects are checked too (a Collection's embedded "first"
page, and every Annotation object in a page's "items"; an embedded object with
no "@context" inherits its parent's, as in JSON-LD); --no-recurse turns that
off.  WPT itself only checks the top-level object.
--strict adds one local check that is NOT in WPT (group "localStrict", MUST):
every motivation value is a model Motivation or an IRI.  WPT rates the
motivation vocabulary as SHOULD/MAY only.

Install:   python3 -m venv venv && venv/bin/pip install 'jsonschema>=4.18'
Run:       venv/bin/python validate.py anno.json
           curl -s URL | venv/bin/python validate.py -
Options:   --fail-on must|should|may (default must)  exit 1 if an assertion of
           that level or stronger fails;  --kind annotation|page|collection;
           --no-recurse;  --strict;  --quiet (only failures at/above --fail-on,
           and the summary);
           --json (machine readable report on stdout).
Exit code: 0 = no failure at/above --fail-on level, 1 = failures, 2 = usage error.
"""
import argparse
import json
import os
import re
import signal
import sys

try:
    from jsonschema import Draft4Validator, FormatChecker
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4
    IMPORT_ERROR = None
except ImportError as _e:  # pragma: no cover
    IMPORT_ERROR = _e

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SUITE = os.path.join(HERE, "web-annotation-tests")
BASE = "https://w3c-web-annotation-tests.invalid/"

GROUPS = {
    "annotation": ["annotations/annotationMusts.test",
                   "annotations/annotationOptionals.test",
                   "annotations/annotationsAgentOptionals.test"],
    "collection": ["collections/collectionMusts.test",
                   "collections/collectionOptionals.test"],
    "page": ["collections/pages/pageMusts.test",
             "collections/pages/pageOptionals.test"],
}
LEVELS = ["must", "should", "may"]

# ajv (v4/v5) "fast" format regexes -- what the WPT harness used by default
_AJV_FAST = {
    "date-time": re.compile(r"^\d\d\d\d-[0-1]\d-[0-3]\d[t\s](?:[0-2]\d:[0-5]\d:[0-5]\d|23:59:60)"
                            r"(?:\.\d+)?(?:z|[+-]\d\d(?::?\d\d)?)$", re.I),
    "uri": re.compile(r"^(?:[a-z][a-z0-9+\-.]*:)(?:/?/)?[^\s]*$", re.I),
}


def _format_checker():
    fc = FormatChecker(formats=())
    for name, rx in _AJV_FAST.items():
        def check(value, rx=rx):
            return not isinstance(value, str) or bool(rx.match(value))
        fc.checks(name)(check)
    return fc


def _short(err):
    """Error message with the (possibly huge) instance repr abbreviated."""
    r = repr(err.instance)
    msg = err.message
    if len(r) > 60 and msg.startswith(r):
        msg = r[:57] + "..." + msg[len(r):]
    return msg[:200]


def _clean_title(t):
    t = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", t or "")   # markdown links
    t = t.replace("**", "").replace("_", "")
    return re.sub(r"\s+", " ", t).strip()


class Suite:
    def __init__(self, root):
        self.root = root
        resources = []
        defdir = os.path.join(root, "definitions")
        for fn in sorted(os.listdir(defdir)):
            if fn.endswith(".json"):
                with open(os.path.join(defdir, fn)) as f:
                    d = json.load(f)
                uri = BASE + d.get("id", fn)
                d = dict(d, id=uri)
                resources.append((uri, Resource.from_contents(d, default_specification=DRAFT4)))
        self.registry = Registry().with_resources(resources)
        self.fc = _format_checker()
        self._cache = {}

    def load_assertion(self, ref):
        """ref: file path (relative to suite root), inline dict, or {'assertionFile':..., overrides}."""
        if isinstance(ref, str):
            if ref not in self._cache:
                with open(os.path.join(self.root, ref)) as f:
                    self._cache[ref] = json.load(f)
            a = dict(self._cache[ref])
            a["assertionFile"] = ref
            return a
        if "assertionFile" in ref:
            a = self.load_assertion(ref["assertionFile"])
            a.update({k: v for k, v in ref.items() if k != "assertionFile"})
            return a
        return dict(ref)

    def validate(self, schema, name, instance):
        uri = BASE + os.path.basename(name)
        s = {k: v for k, v in schema.items() if k != "assertionFile"}
        s["id"] = uri
        # Register the assertion under BASE and validate through a $ref to it, so
        # its relative $refs ("annotations.json#/...", "#/definitions/...") resolve
        # against BASE even when its root is a bare "$ref" (draft-04 ignores "id"
        # next to "$ref"; ajv, which WPT used, did not).
        reg = self.registry.with_resource(uri, Resource.from_contents(s, default_specification=DRAFT4))
        v = Draft4Validator({"$ref": uri}, registry=reg, format_checker=self.fc)
        return sorted(v.iter_errors(instance), key=lambda e: list(e.absolute_path))


def run_list(suite, assertions, content, where, results, action="continue", level=1):
    """Port of JSONtest.runTests: returns the action for the caller."""
    for num, ref in enumerate(assertions):
        if isinstance(ref, list):
            sub = run_list(suite, ref, content, where, results, action, level + 1)
            if sub == "abort":
                action = "abort"
            continue
        if action == "abort":
            return "abort"
        a = suite.load_assertion(ref)
        name = a.get("assertionFile") or a.get("id") or "inline-%d-%d.json" % (level, num + 1)
        rec = {
            "where": where,
            "assertion": os.path.splitext(os.path.basename(name))[0],
            "file": name,
            "level": (a.get("assertionType") or "must").lower(),
            "title": _clean_title(a.get("title", name)),
        }
        if action != "continue":
            rec.update(result="SKIP", message="skipped by an earlier onUnexpectedResult")
            results.append(rec)
            continue
        try:
            errors = suite.validate(a, name, content)
        except Exception as e:  # unresolvable $ref etc.
            rec.update(result="FAIL", message="schema error: %s" % e)
            results.append(rec)
            continue
        valid = not errors
        expected = a.get("expectedResult", "valid")
        ok = (expected == "valid" and valid) or (expected == "invalid" and not valid)
        if not ok:
            nxt = {"failAndContinue": "continue", "failAndSkip": "skip", "failAndAbort": "abort",
                   "passAndContinue": "continue", "passAndSkip": "skip", "passAndAbort": "abort"}
            action = nxt.get(a.get("onUnexpectedResult", "failAndContinue"), "continue")
        rec["result"] = "PASS" if ok else "FAIL"
        if not ok:
            msg = a.get("errorMessage") or "Result was not %s" % expected
            detail = ["%s: %s" % ("/".join(map(str, e.absolute_path)) or "(root)", _short(e))
                      for e in errors[:3]]
            rec["message"] = msg.strip()
            rec["details"] = detail
        results.append(rec)
    return action


def doc_kind(doc):
    if not isinstance(doc, dict):
        return "annotation"
    t = doc.get("type")
    ts = t if isinstance(t, list) else [t]
    if "AnnotationCollection" in ts:
        return "collection"
    if "AnnotationPage" in ts:
        return "page"
    return "annotation"


# Opt-in (--strict) checks that are NOT part of the WPT suite.  They only promote
# official definitions / spec text to MUST so an API can be held to them.
LOCAL_STRICT = [{
    "$schema": "http://json-schema.org/draft-04/schema#",
    "id": "local-motivationValueRecognized.json",
    "assertionType": "must",
    "title": "[local, not WPT] every motivation value is one of the 13 model Motivations "
             "or an IRI (model 3.3.5; vocab appendix C: new Motivations are IRIs)",
    "errorMessage": "motivation value is neither a model Motivation nor an IRI",
    "type": "object",
    "properties": {"motivation": {"oneOf": [
        {"anyOf": [{"$ref": "annotations.json#/definitions/motivationList"},
                   {"type": "string", "format": "uri"}]},
        {"type": "array", "minItems": 1, "items": {"anyOf": [
            {"$ref": "annotations.json#/definitions/motivationList"},
            {"type": "string", "format": "uri"}]}}]}},
}]


def _inherit_context(child, parent):
    """JSON-LD: an embedded object without its own @context uses its parent's."""
    if isinstance(child, dict) and "@context" not in child and isinstance(parent, dict) \
            and "@context" in parent:
        return dict(child, **{"@context": parent["@context"]}), " (inherited @context)"
    return child, ""


def check_document(suite, doc, kind, where, results, recurse, strict=False):
    groups = [(os.path.splitext(os.path.basename(tf))[0], tf) for tf in GROUPS[kind]]
    if strict and kind == "annotation":
        groups.append(("localStrict", LOCAL_STRICT))
    for group, test_file in groups:
        if isinstance(test_file, list):
            assertions = test_file
        else:
            with open(os.path.join(suite.root, test_file)) as f:
                assertions = json.load(f)["assertions"]
        before = len(results)
        run_list(suite, assertions, doc, where, results)
        for r in results[before:]:
            r["group"] = group
    if not recurse or not isinstance(doc, dict):
        return
    if kind == "collection" and isinstance(doc.get("first"), dict):
        child, note = _inherit_context(doc["first"], doc)
        check_document(suite, child, "page", where + ".first" + note, results, recurse, strict)
    if kind == "page" and isinstance(doc.get("items"), list):
        for i, item in enumerate(doc["items"]):
            if isinstance(item, dict):
                child, note = _inherit_context(item, doc)
                check_document(suite, child, "annotation", "%s.items[%d]%s" % (where, i, note),
                               results, recurse, strict)


_SUITE = None


def must_failures(doc, kind=None, strict=False, recurse=True, suite_dir=DEFAULT_SUITE):
    """Library helper (used by protocol_check.py): names of failing MUST assertions."""
    global _SUITE
    if IMPORT_ERROR is not None:
        raise ImportError("validate.py needs jsonschema>=4.18: %s" % IMPORT_ERROR)
    if _SUITE is None or _SUITE.root != suite_dir:
        _SUITE = Suite(suite_dir)
    results = []
    check_document(_SUITE, doc, kind or doc_kind(doc), "$", results, recurse, strict)
    return ["%s:%s" % (r["where"], r["assertion"]) for r in results
            if r["level"] == "must" and r["result"] == "FAIL"]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input", nargs="?", default="-", help="JSON file, or - for stdin (default)")
    ap.add_argument("--suite", default=DEFAULT_SUITE, help="web-annotation-tests directory")
    ap.add_argument("--kind", choices=["auto", "annotation", "page", "collection"], default="auto")
    ap.add_argument("--fail-on", choices=LEVELS, default="must")
    ap.add_argument("--no-recurse", action="store_true")
    ap.add_argument("--strict", action="store_true",
                    help="also run the local (non-WPT) strict checks, e.g. motivation vocabulary")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if IMPORT_ERROR is not None:
        print("validate.py needs jsonschema>=4.18: pip install 'jsonschema>=4.18'", file=sys.stderr)
        return 2

    try:
        raw = sys.stdin.read() if args.input == "-" else open(args.input, encoding="utf-8").read()
    except OSError as e:
        print("cannot read input: %s" % e, file=sys.stderr)
        return 2
    results = []
    try:
        doc = json.loads(raw)
    except ValueError as e:
        # WPT: "Parsing submitted input" subtest fails and nothing else runs
        results.append({"where": "$", "group": "parse", "assertion": "parse", "file": "",
                        "level": "must", "title": "Parsing submitted input",
                        "result": "FAIL", "message": "Parse of JSON failed: %s" % e})
        kind = "n/a"
    else:
        kind = doc_kind(doc) if args.kind == "auto" else args.kind
        check_document(Suite(args.suite), doc, kind, "$", results, not args.no_recurse, args.strict)

    fail_levels = LEVELS[:LEVELS.index(args.fail_on) + 1]
    counts = {lv: {"PASS": 0, "FAIL": 0, "SKIP": 0} for lv in LEVELS}
    for r in results:
        counts[r["level"]][r["result"]] += 1
    bad = sum(counts[lv]["FAIL"] for lv in fail_levels)

    if args.json:
        json.dump({"input": args.input, "kind": kind, "fail_on": args.fail_on, "ok": bad == 0,
                   "counts": counts, "results": results}, sys.stdout, indent=1)
        print()
        return 1 if bad else 0

    print("# %s  (detected: %s)" % (args.input, kind))
    group = None
    for r in results:
        if (r.get("group"), r["where"]) != group:
            group = (r.get("group"), r["where"])
            print("## %s  @ %s" % group)
        if args.quiet and (r["result"] != "FAIL" or r["level"] not in fail_levels):
            continue
        print("%s [%-6s] %-48s %s" % (r["result"], r["level"].upper(), r["assertion"], r["title"]))
        if r["result"] == "FAIL":
            print("      -> %s" % r.get("message", ""))
            for d in r.get("details", []):
                print("         %s" % d)
    for lv in LEVELS:
        c = counts[lv]
        print("%-6s: %d passed, %d failed, %d skipped" % (lv.upper(), c["PASS"], c["FAIL"], c["SKIP"]))
    print("RESULT: %s (fail-on=%s, %d failing assertion(s) at that level or stronger)"
          % ("PASS" if bad == 0 else "FAIL", args.fail_on, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
