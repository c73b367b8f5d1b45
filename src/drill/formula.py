"""A safe evaluator of arithmetic formulas over quantities (see :mod:`drill.quantity`).

Used by ``number`` cards that carry a ``formula`` (``drill check`` recomputes the stated
answer) and by estimation problem templates::

    >>> evaluate("1M / day").format()
    '11.6 /s'
    >>> evaluate("new_urls_per_month / month", {"new_urls_per_month": 100e6}).format()
    '38.6 /s'
    >>> evaluate("ceil(log(records, 62))", {"records": 6e9}).value
    6.0
    >>> explain("3 TB / 5 years")
    '3 TB / 5 years ≈ 19 KB/s'

Syntax
------
Python arithmetic: ``+ - * / // % **`` and parentheses, plus ``^`` for powers, ``×``/``·``
for times, ``÷`` for divide and ``−`` for minus. The text is rewritten into Python syntax
by a small tokenizer, then parsed with :mod:`ast` and walked over a whitelist of node types;
nothing is ever handed to ``eval``. Before parsing:

* Number literals may carry an attached magnitude suffix, as in :mod:`drill.quantity`:
  ``k``/``K`` thousand, ``M`` million, ``G`` billion, ``T`` trillion (``100M``, ``2.5K``).
  ``B`` after a number is always bytes in a formula; write ``6G`` or ``6 billion``.
  ``3x10^12`` and ``3e12`` both work, as do ``1_000`` separators (not commas: a comma
  separates function arguments).
* A ``%`` attached to a number and not followed by an operand is a percentage (``99%`` is
  0.99); otherwise ``%`` is the remainder (``10 % 3``).
* A number followed by a name multiplies it, binding tighter than anything else, so
  ``500 B``, ``1M / day`` and ``3 TB / 5 years`` (= 3 TB ÷ 5 years) read as written; a
  power on the name stays with it (``5 s^2`` = 5 s²). Only number-then-name juxtaposes;
  ``(a + b) GB`` and ``a b`` are syntax errors.

Names
-----
Looked up in ``names`` first (values may be Quantity, int/float for counts, or text that
:func:`drill.quantity.parse` reads), then in :data:`CONSTANTS`: time units (``s second sec
ms us ns min minute hour hr h day week month year yr``, 1 month = 30 days, 1 year = 365
days, plurals too), sizes (``B byte KB MB GB TB PB EB kB KiB MiB GiB TiB PiB``, decimal
unless ``i``), bits (``bit Kb Mb Gb Tb``, ``bps Kbps Mbps Gbps Tbps``), and ``thousand
million billion trillion percent pi e``. Names starting with ``__`` are refused.

Functions
---------
``min max`` (same dimension), ``ceil floor round abs`` (on the value in base units, so
``ceil(1.5 KB)`` is 1,500 B; ``round`` takes optional digits and rounds halves away from
zero), ``sqrt`` (counts, or dimensions with even exponents), ``log(x)`` natural,
``log(x, base)``, ``log2 log10`` (counts only). Positional arguments only.

Limits and errors
-----------------
Everything refused raises :class:`FormulaError` (a ValueError) whose ``column`` is the
0-based offset into the formula text (messages say ``column N``, counting from 1). Powers
need a plain-number exponent of at most 100 in size; results beyond float range are
"number too large"; formulas longer than 2,000 characters are refused. Dimension mistakes
(``1 MB + 1 s``) are FormulaErrors too, with the DimensionError as ``__cause__``.
"""

from __future__ import annotations

import ast
import keyword
import math
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from types import MappingProxyType

from drill.quantity import DimensionError, Quantity, QuantityError, parse, parse_unit

__all__ = ["CONSTANTS", "FUNCTIONS", "FormulaError", "evaluate", "explain", "names_used"]

MAX_LENGTH = 2000
MAX_EXPONENT = 100


class FormulaError(ValueError):
    """A formula that cannot be evaluated; ``column`` is a 0-based offset or None."""

    def __init__(self, message: str, column: int | None = None, formula: str | None = None):
        super().__init__(message)
        self.column = column
        self.formula = formula


# --------------------------------------------------------------------------- constants


def _constants() -> dict[str, Quantity]:
    groups = {
        "second seconds sec secs s": "s",
        "ms": "ms",
        "us": "us",
        "ns": "ns",
        "minute minutes min mins": "min",
        "hour hours hr hrs h": "h",
        "day days": "day",
        "week weeks": "week",
        "month months": "month",
        "year years yr yrs": "year",
        "B byte bytes": "B",
        "kB KB MB GB TB PB EB KiB MiB GiB TiB PiB": "",
        "bit bits": "bit",
        "Kb Mb Gb Tb bps Kbps Mbps Gbps Tbps": "",
        "thousand million billion trillion percent": "",
    }
    table: dict[str, Quantity] = {}
    for names, unit in groups.items():
        for name in names.split():
            table[name] = parse_unit(unit or name)
    table["pi"] = Quantity(math.pi, "")
    table["e"] = Quantity(math.e, "")
    return table


CONSTANTS: Mapping[str, Quantity] = MappingProxyType(_constants())


# --------------------------------------------------------------------------- functions


def _count(q: Quantity, fname: str) -> float:
    if q.unit:
        raise FormulaError(f"{fname}() needs a plain number, got a {q.dimension_name}")
    return q.value


def _same_dimension(args: tuple[Quantity, ...], fname: str) -> None:
    for q in args[1:]:
        if q.dimension != args[0].dimension:
            raise FormulaError(
                f"{fname}() needs arguments of one dimension: a {args[0].dimension_name} "
                f"is not a {q.dimension_name}"
            )


def _min(*args: Quantity) -> Quantity:
    _same_dimension(args, "min")
    return min(args, key=lambda q: q.value)


def _max(*args: Quantity) -> Quantity:
    _same_dimension(args, "max")
    return max(args, key=lambda q: q.value)


def _rounder(fn: Callable[[float], float]) -> Callable[[Quantity], Quantity]:
    def apply(q: Quantity) -> Quantity:
        return Quantity(float(fn(q.value)), q.unit)

    return apply


def _round(q: Quantity, ndigits: Quantity | None = None) -> Quantity:
    """Halves round away from zero (2.5 -> 3), as people do on paper."""
    n = 0.0 if ndigits is None else _count(ndigits, "round")
    if n != int(n) or abs(n) > 30:
        raise FormulaError("round() needs a whole number of digits between -30 and 30")
    scale = 10.0 ** int(n)
    value = math.floor(abs(q.value) * scale + 0.5) / scale
    return Quantity(math.copysign(value, q.value), q.unit)


def _sqrt(q: Quantity) -> Quantity:
    if q.value < 0:
        raise FormulaError("sqrt() of a negative number")
    try:
        return q**0.5
    except QuantityError:
        raise FormulaError(f"sqrt() of a {q.dimension_name} has no unit") from None


def _log(q: Quantity, base: Quantity | None = None) -> Quantity:
    x = _count(q, "log")
    if x <= 0:
        raise FormulaError("log() needs a positive number")
    if base is None:
        return Quantity(math.log(x), "")
    b = _count(base, "log")
    if b <= 0 or b == 1:
        raise FormulaError("log() needs a positive base other than 1")
    return Quantity(math.log(x) / math.log(b), "")


def _log_n(fn: Callable[[float], float], fname: str) -> Callable[[Quantity], Quantity]:
    def apply(q: Quantity) -> Quantity:
        x = _count(q, fname)
        if x <= 0:
            raise FormulaError(f"{fname}() needs a positive number")
        return Quantity(fn(x), "")

    return apply


# name -> (function, fewest arguments, most arguments or None)
FUNCTIONS: Mapping[str, tuple[Callable[..., Quantity], int, int | None]] = MappingProxyType(
    {
        "min": (_min, 1, None),
        "max": (_max, 1, None),
        "ceil": (_rounder(math.ceil), 1, 1),
        "floor": (_rounder(math.floor), 1, 1),
        "log2": (_log_n(math.log2, "log2"), 1, 1),
        "log10": (_log_n(math.log10, "log10"), 1, 1),
        "sqrt": (_sqrt, 1, 1),
        "round": (_round, 1, 2),
        "abs": (abs, 1, 1),
        "log": (_log, 1, 2),
    }
)
_ALLOWED_FUNCTIONS = ", ".join(FUNCTIONS)

# --------------------------------------------------------------------------- rewriting

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<num>
        (?P<mant>[0-9][0-9_]*(?:\.[0-9]*)?|\.[0-9]+)
        (?:[eE](?P<exp>[-+]?[0-9]+)|[ \t]*[x×][ \t]*10[ \t]*(?:\^|\*\*)[ \t]*(?P<x10>[-+]?[0-9]+))?
        (?:(?P<mag>[kKMGT])(?!\w)|(?P<pct>%)(?![ \t]*[\w(.]))?
    )
  | (?P<name>[^\W\d]\w*)
  | (?P<op>\*\*|//|[-+*/%^(),×÷−·])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_OPS = {"^": "**", "×": "*", "·": "*", "÷": "/", "−": "-"}
_MAGNITUDE = {"k": 1e3, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}

Token = tuple[str, str, int, re.Match[str]]  # kind, text, start offset, match


def _tokens(text: str) -> list[Token]:
    return [(m.lastgroup or "other", m.group(), m.start(), m) for m in _TOKEN.finditer(text)]


def _number_value(tok: Token, text: str) -> float:
    m = tok[3]
    mant = m.group("mant").replace("_", "")
    exp = m.group("exp") or m.group("x10")
    try:
        value = float(f"{mant}e{exp}" if exp else mant)
    except ValueError:
        raise FormulaError(f"cannot read number {tok[1]!r}", column=tok[2], formula=text) from None
    if m.group("mag"):
        value *= _MAGNITUDE[m.group("mag")]
    elif m.group("pct"):
        value /= 100
    if not math.isfinite(value):
        raise FormulaError("number too large", column=tok[2], formula=text)
    return value


class _Source:
    """The formula rewritten into Python syntax, with a map back to the original columns."""

    def __init__(self, text: str):
        self.text = text
        self.parts: list[str] = []
        self.origin: list[int] = []  # original offset of each output character

    def emit(self, piece: str, start: int, same_length: bool = False) -> None:
        self.parts.append(piece)
        if same_length:
            self.origin.extend(range(start, start + len(piece)))
        else:
            self.origin.extend([start] * len(piece))

    def column(self, byte_offset: int | None, python: str) -> int | None:
        """Original 0-based column of a UTF-8 byte offset into the Python text."""
        if byte_offset is None:
            return None
        chars = len(python.encode()[:byte_offset].decode("utf-8", "ignore"))
        return self.origin[chars] if chars < len(self.origin) else len(self.text)


def _significant(tokens: list[Token], i: int) -> int:
    while i < len(tokens) and tokens[i][0] == "ws":
        i += 1
    return i


def _rewrite(text: str) -> _Source:
    src = _Source(text)
    tokens = _tokens(text)
    i = 0
    while i < len(tokens):
        kind, tok_text, start, _ = tokens[i]
        if kind == "ws":
            src.emit(" " * len(tok_text), start, same_length=True)
        elif kind == "op":
            src.emit(_OPS.get(tok_text, tok_text), start)
        elif kind == "num":
            number = repr(_number_value(tokens[i], text))
            j = _significant(tokens, i + 1)
            juxtaposed = (
                j < len(tokens)
                and tokens[j][0] == "name"
                and not keyword.iskeyword(tokens[j][1])
                and not ((k := _significant(tokens, j + 1)) < len(tokens) and tokens[k][1] == "(")
            )
            if not juxtaposed:
                src.emit(number, start)
            else:
                name_tok = tokens[j]
                src.emit("(" + number + "*", start)
                src.emit(name_tok[1], name_tok[2], same_length=True)
                i = j
                # a power written on the unit stays with it: 5 s^2 -> (5.0*s**2)
                k = _significant(tokens, j + 1)
                if k < len(tokens) and tokens[k][1] in ("^", "**"):
                    n = _significant(tokens, k + 1)
                    sign = ""
                    if n < len(tokens) and tokens[n][1] in ("-", "+", "−"):
                        sign = _OPS.get(tokens[n][1], tokens[n][1])
                        n = _significant(tokens, n + 1)
                    if n < len(tokens) and tokens[n][0] == "num" and not tokens[n][3]["mag"]:
                        power = repr(_number_value(tokens[n], text))
                        src.emit("**" + sign + power, tokens[k][2])
                        i = n
                src.emit(")", name_tok[2])
        else:  # names and anything else pass through; the AST check refuses what is wrong
            src.emit(tok_text, start, same_length=True)
        i += 1
    return src


# --------------------------------------------------------------------------- checking

_BIN_OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)
_SYMBOLS = {
    ast.BitOr: "|",
    ast.BitAnd: "&",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.MatMult: "@",
}
_REFUSED = {
    ast.Attribute: "attribute access is not allowed",
    ast.Subscript: "indexing is not allowed",
    ast.Slice: "slices are not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.List: "lists are not allowed",
    ast.Tuple: "tuples are not allowed",
    ast.Set: "sets are not allowed",
    ast.Dict: "dicts are not allowed",
    ast.Starred: "'*' unpacking is not allowed",
    ast.JoinedStr: "strings are not allowed",
    ast.Compare: "comparisons are not allowed",
    ast.BoolOp: "'and'/'or' are not allowed",
    ast.IfExp: "'if' expressions are not allowed",
    ast.NamedExpr: "':=' is not allowed",
    ast.Await: "'await' is not allowed",
    ast.Yield: "'yield' is not allowed",
    ast.YieldFrom: "'yield' is not allowed",
}


class _Compiled:
    def __init__(self, text: str, source: _Source, python: str, tree: ast.Expression):
        self.text, self.source, self.python, self.tree = text, source, python, tree

    def error(self, message: str, node: ast.AST | None = None, offset: int | None = None):
        if node is not None:
            offset = getattr(node, "col_offset", None)
        column = self.source.column(offset, self.python)
        return FormulaError(message, column=column, formula=self.text)


def _check(c: _Compiled) -> None:
    """Refuse every node outside the whitelist, before anything is evaluated."""
    for node in ast.walk(c.tree):
        if isinstance(node, ast.Expression | ast.Load | ast.UAdd | ast.USub | ast.Call):
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Attribute):
                    raise c.error("attribute access is not allowed", func)
                if not isinstance(func, ast.Name):
                    raise c.error("only functions called by name are allowed", func)
                if func.id not in FUNCTIONS:
                    raise c.error(
                        f"function {func.id!r} is not allowed (allowed: {_ALLOWED_FUNCTIONS})",
                        func,
                    )
                if node.keywords:
                    raise c.error("keyword arguments are not allowed", node.keywords[0].value)
            continue
        if isinstance(node, ast.BinOp):
            if not isinstance(node.op, _BIN_OPS):
                symbol = _SYMBOLS.get(type(node.op), type(node.op).__name__)
                raise c.error(f"operator {symbol!r} is not allowed", node)
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.UAdd | ast.USub):
                raise c.error("only + and - are allowed before a value", node)
        elif isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, str | bytes):
                raise c.error("strings are not allowed", node)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise c.error(f"{value!r} is not allowed: only numbers", node)
        elif isinstance(node, ast.Name):
            if node.id.startswith("__"):
                raise c.error(f"names starting with '__' are not allowed ({node.id!r})", node)
        elif isinstance(node, _BIN_OPS):
            pass
        else:
            message = _REFUSED.get(type(node), f"{type(node).__name__} is not allowed")
            raise c.error(message, node)


@lru_cache(maxsize=512)
def _compile(text: str) -> _Compiled:
    if not isinstance(text, str):
        raise FormulaError(f"a formula must be text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"formula too long ({len(text)} characters, at most {MAX_LENGTH})")
    if not text.strip():
        raise FormulaError("empty formula", column=0, formula=text)
    source = _rewrite(text)
    python = "".join(source.parts)
    try:
        tree = ast.parse(python, mode="eval")
    except SyntaxError as exc:
        offset = (exc.offset or 1) - 1
        column = source.origin[offset] if offset < len(source.origin) else len(text)
        detail = f": {exc.msg}" if exc.msg and exc.msg != "invalid syntax" else ""
        raise FormulaError(
            f"syntax error at column {column + 1}{detail}", column=column, formula=text
        ) from None
    except (ValueError, RecursionError, MemoryError):
        raise FormulaError("formula cannot be parsed", formula=text) from None
    compiled = _Compiled(text, source, python, tree)
    _check(compiled)
    return compiled


# --------------------------------------------------------------------------- evaluating


def _value_of(name: str, value: object, c: _Compiled, node: ast.AST) -> Quantity:
    if isinstance(value, Quantity):
        q = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        q = Quantity(float(value), "")
    elif isinstance(value, str):
        try:
            q = parse(value)
        except QuantityError as exc:
            raise c.error(f"name {name!r}: {exc}", node) from None
    else:
        raise c.error(f"name {name!r} has a {type(value).__name__}, not a quantity", node)
    if not math.isfinite(q.value):
        raise c.error(f"name {name!r} is not a finite number", node)
    return q


class _Evaluator:
    def __init__(self, compiled: _Compiled, names: Mapping[str, object]):
        self.c = compiled
        self.names = names

    def op_offset(self, node: ast.BinOp) -> int | None:
        """Byte offset of a binary operator (for 'division by zero' and friends)."""
        py = self.c.python.encode()
        pos = node.left.end_col_offset or 0
        while pos < len(py) and py[pos : pos + 1] in (b" ", b")"):
            pos += 1
        return pos

    def eval(self, node: ast.AST) -> Quantity:
        if isinstance(node, ast.Expression):
            return self.eval(node.body)
        if isinstance(node, ast.Constant):
            return Quantity(float(node.value), "")  # type: ignore[arg-type] # checked by the parser
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            operand = self.eval(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        raise self.c.error(f"{type(node).__name__} is not allowed", node)  # pragma: no cover

    def name(self, node: ast.Name) -> Quantity:
        if node.id in self.names:
            return _value_of(node.id, self.names[node.id], self.c, node)
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        known = [*sorted(self.names), *CONSTANTS]
        import difflib

        close = difflib.get_close_matches(node.id, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise self.c.error(f"unknown name {node.id!r}{hint} (known: {', '.join(known)})", node)

    def binop(self, node: ast.BinOp) -> Quantity:
        # Walk the left spine without recursion, so long chains like 1+1+...+1 stay shallow.
        chain = [node]
        while isinstance(chain[-1].left, ast.BinOp):
            chain.append(chain[-1].left)
        value = self.eval(chain[-1].left)
        for link in reversed(chain):
            value = self.apply(link, value, self.eval(link.right))
        return value

    def apply(self, node: ast.BinOp, left: Quantity, right: Quantity) -> Quantity:
        op = node.op
        try:
            if isinstance(op, ast.Add):
                result = left + right
            elif isinstance(op, ast.Sub):
                result = left - right
            elif isinstance(op, ast.Mult):
                result = left * right
            elif isinstance(op, ast.Div):
                result = left / right
            elif isinstance(op, ast.FloorDiv):
                quotient = left / right
                result = Quantity(float(math.floor(quotient.value)), quotient.unit)
            elif isinstance(op, ast.Mod):
                if not left.same_dimension(right):
                    raise DimensionError(
                        f"a {left.dimension_name} is not a {right.dimension_name}: cannot "
                        f"take {left.format()} modulo {right.format()}"
                    )
                result = Quantity(left.value % right.value, left.unit)
            else:
                result = self.power(node, left, right)
        except ZeroDivisionError:
            raise self.c.error("division by zero", offset=self.op_offset(node)) from None
        except OverflowError:
            raise self.c.error("number too large", node) from None
        except QuantityError as exc:
            raise self.c.error(str(exc), offset=self.op_offset(node)) from exc
        if not math.isfinite(result.value):
            raise self.c.error("number too large", node)
        return result

    def power(self, node: ast.BinOp, base: Quantity, exponent: Quantity) -> Quantity:
        if exponent.unit:
            raise self.c.error(
                f"'**' needs a plain-number exponent, not a {exponent.dimension_name}",
                node.right,
            )
        if abs(exponent.value) > MAX_EXPONENT:
            raise self.c.error(
                f"exponent too large ({exponent.format()}; at most {MAX_EXPONENT})", node.right
            )
        return base**exponent

    def call(self, node: ast.Call) -> Quantity:
        assert isinstance(node.func, ast.Name)
        fname = node.func.id
        fn, fewest, most = FUNCTIONS[fname]
        count = len(node.args)
        if count < fewest or (most is not None and count > most):
            if most is None:
                wanted = f"at least {fewest}"
            elif fewest == most:
                wanted = str(fewest)
            else:
                wanted = f"{fewest} or {most}"
            plural = "" if (most or fewest) == 1 else "s"
            raise self.c.error(f"{fname}() takes {wanted} argument{plural} (got {count})", node)
        args = [self.eval(arg) for arg in node.args]
        try:
            result = fn(*args)
        except FormulaError as exc:
            raise self.c.error(str(exc), node) from None
        except (QuantityError, ValueError, OverflowError) as exc:
            raise self.c.error(f"{fname}(): {exc}", node) from exc
        if not math.isfinite(result.value):
            raise self.c.error("number too large", node)
        return result


# --------------------------------------------------------------------------- closures

Closure = Callable[[Mapping[str, object]], Quantity]


def _closure(c: _Compiled, node: ast.AST, ev: _Evaluator) -> Closure:
    """The checked tree as nested Python closures, built once per formula: estimation
    problems evaluate the same formulas thousands of times, and walking the tree with
    isinstance at every node cost most of that. Errors are raised by the evaluator's own
    methods, so they read exactly as when the tree is walked."""
    if isinstance(node, ast.Expression):
        return _closure(c, node.body, ev)
    if isinstance(node, ast.Constant):
        constant = Quantity(float(node.value), "")  # type: ignore[arg-type] # checked by the parser
        return lambda names: constant
    if isinstance(node, ast.Name):
        ident, known = node.id, CONSTANTS.get(node.id)

        def name(names: Mapping[str, object]) -> Quantity:
            if ident in names:
                return _value_of(ident, names[ident], c, node)
            if known is not None:
                return known
            return _Evaluator(c, names).name(node)  # raises: unknown name

        return name
    if isinstance(node, ast.UnaryOp):
        operand = _closure(c, node.operand, ev)
        if isinstance(node.op, ast.USub):
            return lambda names: -operand(names)
        return operand
    if isinstance(node, ast.BinOp):
        # The left spine as a loop, as the evaluator walks it, so 1+1+...+1 stays shallow.
        chain = [node]
        while isinstance(chain[-1].left, ast.BinOp):
            chain.append(chain[-1].left)
        first = _closure(c, chain[-1].left, ev)
        links = [(link, _closure(c, link.right, ev)) for link in reversed(chain)]
        apply = ev.apply

        def binop(names: Mapping[str, object]) -> Quantity:
            value = first(names)
            for link, right in links:
                value = apply(link, value, right(names))
            return value

        return binop
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name)
        fname = node.func.id
        fn, fewest, most = FUNCTIONS[fname]
        if len(node.args) < fewest or (most is not None and len(node.args) > most):
            return lambda names: _Evaluator(c, names).call(node)  # raises: argument count
        args = [_closure(c, arg, ev) for arg in node.args]

        def call(names: Mapping[str, object]) -> Quantity:
            values = [arg(names) for arg in args]
            try:
                result = fn(*values)
            except FormulaError as exc:
                raise c.error(str(exc), node) from None
            except (QuantityError, ValueError, OverflowError) as exc:
                raise c.error(f"{fname}(): {exc}", node) from exc
            if not math.isfinite(result.value):
                raise c.error("number too large", node)
            return result

        return call
    raise c.error(f"{type(node).__name__} is not allowed", node)  # pragma: no cover


@lru_cache(maxsize=512)
def _closure_of(formula: str) -> Closure:
    compiled = _compile(formula)
    try:
        return _closure(compiled, compiled.tree, _Evaluator(compiled, {}))
    except RecursionError:
        raise FormulaError("formula too complex", formula=formula) from None


def evaluate(formula: str, names: Mapping[str, Quantity | float] | None = None) -> Quantity:
    """The value of `formula` as a Quantity; `names` supplies variables (shadowing
    CONSTANTS). Raises FormulaError for anything wrong, with ``.column`` when known."""
    fn = _closure_of(formula)
    try:
        return fn(names or {})
    except RecursionError:
        raise FormulaError("formula too complex", formula=formula) from None


def names_used(formula: str) -> set[str]:
    """Every name the formula reads (constants like ``day`` included, function names
    excluded), so callers can order intermediate values and report unknown names.
    Raises FormulaError for syntax errors and refused constructs."""
    tree = _compile(formula).tree
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in called}


def explain(
    formula: str,
    names: Mapping[str, Quantity | float] | None = None,
    texts: Mapping[str, str] | None = None,
) -> str:
    """Back-of-the-envelope working on one line: the formula with each name from `names`
    replaced by its formatted value, then ``≈`` and the result. Constants stay as
    written: ``explain("n / month", {"n": 100e6}) == "100 million / month ≈ 38.6 /s"``.
    `texts` shows some names as given instead (``{"hit_rate": "99.95%"}``). A constant
    given a value in `names` (a napkin ``day`` of 10^5 s) is shown as its text, except as
    the unit after a number (``3 days`` stays as written)."""
    names = names or {}
    texts = texts or {}
    result = evaluate(formula, names)
    compiled = _compile(formula)
    pieces = []
    tokens = _tokens(formula)
    previous = ""  # the kind of the last token that is not whitespace
    for i, (kind, text, _start, _) in enumerate(tokens):
        after_number, previous = previous == "num", (previous if kind == "ws" else kind)
        if kind == "name" and text in names and not (after_number and text in CONSTANTS):
            j = _significant(tokens, i + 1)
            if not (j < len(tokens) and tokens[j][1] == "("):
                shown = texts.get(text)
                if shown is None:
                    shown = _value_of(text, names[text], compiled, compiled.tree).format()
                pieces.append(shown)
                continue
        pieces.append(text)
    return f"{' '.join(''.join(pieces).split())} ≈ {result.format()}"
