#!/usr/bin/env python3
"""Validate wtfn JSON outputs against the JSON Schemas in docs/schema/.

usage: schema_check.py [--schema-dir DIR] --schema NAME FILE [FILE ...]
       schema_check.py [--schema-dir DIR] --manifest LIST
       schema_check.py --check-schemas

NAME is one of:
  report   the document of `wtfn dns leak watch --json` / `--out FILE`
  event    one event object (an item of the report's "events")
  stream   the NDJSON stream of `watch --events FILE`: every line is validated on its
           own, and the records must come as start, events, end (repeated when runs
           appended to the same file)
  status   `wtfn dns leak status --json`
  policy   a policy file, or `wtfn dns leak policy show` output

FILE may be "-" for standard input. The documents are parsed strictly: a duplicate key,
NaN/Infinity or trailing garbage is an error, because a schema cannot see those.

Output: nothing and exit 0 when every file is valid. Otherwise one line per error,
"FILE[:LINE]: $.json.path: message" (the deepest error of a failed oneOf/anyOf is
shown under it), at most --max-errors per file, then "schema_check: N error(s) in
FILE", and exit 1. Usage errors, unreadable files and bad schemas exit 2.

--manifest LIST validates many files in one run (for the e2e tests): each line of LIST
is "NAME FILE DESCRIPTION..." (blank lines and lines starting with # are skipped), and
each line gives one result line, "PASS: DESCRIPTION" or "FAIL: DESCRIPTION" followed by
its errors indented by six spaces (the format tests/e2e/lib.sh's e2e_results counts).
Exit 1 when any failed.

--check-schemas checks that every schema in the directory is itself a valid draft
2020-12 schema whose references resolve.

Works with python3-jsonschema 4.10 (Debian 12) and later versions.
"""

import argparse
import json
import os
import sys

try:
    import jsonschema
    from jsonschema import Draft202012Validator
except ImportError:  # pragma: no cover - reported as a usage problem
    print("schema_check: python3 module 'jsonschema' not found (apt-get install python3-jsonschema)",
          file=sys.stderr)
    sys.exit(2)

NAMES = ("report", "event", "stream", "status", "policy")
DEFAULT_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                            "..", "..", "docs", "schema"))


class InputError(Exception):
    pass


def _no_duplicates(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise InputError(f"duplicate key {json.dumps(k)}")
        obj[k] = v
    return obj


def _no_constant(name):
    raise InputError(f"non-standard JSON constant {name}")


def parse_json(text):
    """Strict JSON: no duplicate keys, no NaN/Infinity, nothing after the value."""
    return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)


def json_path(path):
    out = "$"
    for p in path:
        if isinstance(p, int):
            out += f"[{p}]"
        elif isinstance(p, str) and p.isidentifier():
            out += f".{p}"
        else:
            out += "[" + json.dumps(p) + "]"
    return out


def short(value, limit=80):
    s = json.dumps(value, ensure_ascii=True)
    return s if len(s) <= limit else s[:limit - 3] + "..."


class Schemas:
    def __init__(self, directory):
        self.directory = directory
        self.by_name = {}
        self.by_id = {}
        try:
            files = sorted(f for f in os.listdir(directory) if f.endswith(".schema.json"))
        except OSError as e:
            raise InputError(f"cannot list schema directory {directory}: {e}") from e
        for f in files:
            path = os.path.join(directory, f)
            try:
                with open(path, encoding="utf-8") as fh:
                    schema = parse_json(fh.read())
            except (OSError, ValueError, InputError) as e:
                raise InputError(f"{path}: cannot read schema: {e}") from e
            sid = schema.get("$id")
            if not isinstance(sid, str):
                raise InputError(f"{path}: schema has no $id")
            self.by_name[f[: -len(".schema.json")]] = schema
            self.by_id[sid] = schema
        self._registry = self._make_registry()

    def _make_registry(self):
        # jsonschema >= 4.18 resolves references through the `referencing` library;
        # 4.10 (Debian 12) through RefResolver with a store.
        try:
            from referencing import Registry, Resource
        except ImportError:
            return None
        return Registry().with_resources(
            (sid, Resource.from_contents(s)) for sid, s in self.by_id.items())

    def validator(self, name):
        if name not in self.by_name:
            raise InputError(f"no schema '{name}' in {self.directory} "
                             f"(have: {', '.join(sorted(self.by_name)) or 'none'})")
        schema = self.by_name[name]
        checker = jsonschema.FormatChecker()
        if self._registry is not None:
            return Draft202012Validator(schema, registry=self._registry, format_checker=checker)
        resolver = jsonschema.RefResolver(schema["$id"], schema, store=dict(self.by_id))
        return Draft202012Validator(schema, resolver=resolver, format_checker=checker)


def _leaves(error):
    if not error.context:
        yield error
        return
    for sub in error.context:
        yield from _leaves(sub)


def deepest(error):
    """The most specific error under a failed anyOf/oneOf: the one whose instance path
    is longest (for `null or object`, the object branch's real complaint rather than
    "is not of type 'null'"), or None when there is no such sub-error. jsonschema's own
    best_match prefers the shortest path, which is the least useful one here."""
    if not error.context:
        return None
    leaves = list(_leaves(error))
    best = max(leaves, key=lambda e: (len(e.absolute_path), e.validator != "type"))
    return best


def message(error):
    """jsonschema's message, with the instance shortened (its messages quote a whole
    object with Python's repr)."""
    v, vv, inst = error.validator, error.validator_value, error.instance
    if "propertyNames" in error.absolute_schema_path:
        return f"unknown key {json.dumps(inst)} (not allowed in this object)"
    if v == "type":
        return f"{short(inst)} is not of type {short(vv)}"
    if v == "const":
        return f"{short(inst)} is not {json.dumps(vv)}"
    if v == "enum":
        return f"{short(inst)} is not one of {short(vv, 200)}"
    if v in ("anyOf", "oneOf"):
        return f"{short(inst)} matches none of the allowed forms"
    msg = error.message
    return msg if len(msg) <= 300 else msg[:297] + "..."


def describe(error):
    schema_path = "/".join(str(p) for p in error.absolute_schema_path)
    return f"{json_path(error.absolute_path)}: {message(error)} (schema: {schema_path})"


def validate_doc(validator, doc, where, report, max_errors):
    errors = sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path])
    for e in errors:
        report(f"{where}: {describe(e)}")
        d = None if "propertyNames" in e.absolute_schema_path else deepest(e)
        if d is not None:
            report(f"{where}:   deepest: {describe(d)}")
    return len(errors)


class Reporter:
    def __init__(self, max_errors, sink=print):
        self.max_errors = max_errors
        self.printed = 0
        self.sink = sink

    def __call__(self, line):
        if self.printed < self.max_errors:
            self.sink(line)
        elif self.printed == self.max_errors:
            self.sink("... (more errors not shown)")
        self.printed += 1


def read_text(path):
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as fh:
                data = fh.read()
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror}") from e
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 at byte {e.start}") from e


def check_document(schemas, name, path, max_errors, sink=print):
    text = read_text(path)
    rep = Reporter(max_errors, sink)
    if not text.strip():
        rep(f"{path}: empty file (no JSON document)")
        return 1
    try:
        doc = parse_json(text)
    except (ValueError, InputError) as e:
        rep(f"{path}: not valid JSON: {e}")
        return 1
    return validate_doc(schemas.validator(name), doc, path, rep, max_errors)


def check_stream(schemas, path, max_errors, sink=print):
    text = read_text(path)
    rep = Reporter(max_errors, sink)
    validator = schemas.validator("stream")
    if not text:
        rep(f"{path}: empty stream (a run writes at least a start and an end record)")
        return 1
    count = 0
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    else:
        rep(f"{path}:{len(lines)}: last line has no newline (torn line)")
        count += 1
    state = "outside"  # outside a run, or inside one (after its start record)
    for n, line in enumerate(lines, 1):
        where = f"{path}:{n}"
        try:
            doc = parse_json(line)
        except (ValueError, InputError) as e:
            rep(f"{where}: not valid JSON: {e}")
            count += 1
            continue
        count += validate_doc(validator, doc, where, rep, max_errors)
        record = doc.get("record") if isinstance(doc, dict) else None
        if record == "start":
            if state == "inside":
                rep(f"{where}: start record inside a run (the previous run has no end record)")
                count += 1
            state = "inside"
        elif record in ("event", "end"):
            if state != "inside":
                rep(f"{where}: {record} record before any start record")
                count += 1
            if record == "end":
                state = "outside"
    if state == "inside":
        rep(f"{path}: the stream ends without an end record")
        count += 1
    return count


def check_schemas(schemas):
    bad = 0
    for name, schema in sorted(schemas.by_name.items()):
        try:
            Draft202012Validator.check_schema(schema)
            # Resolve every reference by validating an empty object: an unresolvable
            # $ref raises instead of giving validation errors.
            list(schemas.validator(name).iter_errors({}))
        except jsonschema.exceptions.SchemaError as e:
            print(f"{name}.schema.json: invalid schema at {json_path(e.absolute_path)}: {e.message}")
            bad += 1
        except Exception as e:  # RefResolutionError / Unresolvable differ between versions
            print(f"{name}.schema.json: {type(e).__name__}: {e}")
            bad += 1
    return bad


def check_file(schemas, name, path, max_errors, sink=print):
    if name == "stream":
        return check_stream(schemas, path, max_errors, sink)
    return check_document(schemas, name, path, max_errors, sink)


def run_manifest(schemas, manifest, max_errors):
    try:
        with open(manifest, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except OSError as e:
        raise InputError(f"{manifest}: cannot read: {e.strerror}") from e
    failed = 0
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split(None, 2)
        if len(parts) < 2 or parts[0] not in NAMES:
            raise InputError(f"{manifest}:{n}: want 'NAME FILE DESCRIPTION', NAME one of {', '.join(NAMES)}")
        name, path = parts[0], parts[1]
        desc = parts[2] if len(parts) > 2 else f"{path} validates as {name}"
        details = []
        try:
            errors = check_file(schemas, name, path, max_errors, details.append)
        except InputError as e:
            errors = 1
            details.append(str(e))
        if errors:
            failed += 1
            print(f"FAIL: {desc}")
            for d in details:
                print(f"      {d}")
        else:
            print(f"PASS: {desc}")
    return failed


def main(argv):
    ap = argparse.ArgumentParser(description="Validate wtfn JSON outputs against docs/schema.")
    ap.add_argument("--schema", choices=NAMES, help="which schema the files must follow")
    ap.add_argument("--schema-dir", default=DEFAULT_DIR, help=f"schema directory (default {DEFAULT_DIR})")
    ap.add_argument("--max-errors", type=int, default=20, help="errors shown per file (default 20)")
    ap.add_argument("--check-schemas", action="store_true", help="check the schemas themselves")
    ap.add_argument("--manifest", help="validate the files a list names, one PASS/FAIL line each")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args(argv)
    try:
        schemas = Schemas(args.schema_dir)
        if args.check_schemas:
            return 1 if check_schemas(schemas) else 0
        if args.manifest:
            return 1 if run_manifest(schemas, args.manifest, args.max_errors) else 0
        if not args.schema or not args.files:
            ap.error("--schema NAME and at least one FILE are required")
        failed = 0
        for path in args.files:
            n = check_file(schemas, args.schema, path, args.max_errors)
            if n:
                print(f"schema_check: {n} error(s) in {path} (schema {args.schema})")
                failed += 1
        return 1 if failed else 0
    except InputError as e:
        print(f"schema_check: {e}")
        return 2
    except jsonschema.exceptions.SchemaError as e:
        print(f"schema_check: bad schema: {e.message}")
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
