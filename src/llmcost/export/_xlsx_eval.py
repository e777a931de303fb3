"""Cached values for the workbook: evaluate the formulas llmcost wrote, cell by cell.

openpyxl writes a formula *or* a value, and a file without cached values reads as empty
cells to every reader that does not recalculate (file previews, pandas/openpyxl
``data_only=True``, many viewers). So the book is evaluated here — the very formula text in
its cells, parsed with openpyxl's tokenizer — and :func:`add_cached_values` stores each result
next to its formula in the saved file (``<f>`` and ``<v>`` together, as Excel does).

Only the functions llmcost's formulas use are implemented (an unknown one raises): arithmetic
and comparisons, ``SUM``, ``SUMPRODUCT``, ``MIN``, ``MAX``, ``AVERAGE``, ``COUNT``, ``CEILING``,
``INT``, ``ROUNDUP``, ``IF``, ``AND``, ``OR``, ``ISNUMBER``, ``PMT``, ``NPV``, ``INDEX``,
``MATCH``, ``EXP``, ``POWER``, ``ABS``, ``SMALL``, ``TEXT`` (the formats
llmcost writes), ``COS``, ``PI``, ``LN``. Numbers are IEEE doubles as in every spreadsheet
application.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np

__all__ = ["EvalError", "Evaluator", "add_cached_values"]


class EvalError(ValueError):
    """A formula llmcost cannot evaluate (a bug: every formula it writes must evaluate)."""


class XlError:
    """A spreadsheet error value (``#DIV/0!``, ``#N/A``…): it propagates through formulas."""

    def __init__(self, code: str) -> None:
        self.code = code

    def __repr__(self) -> str:
        return self.code


_REF = re.compile(
    r"^(?:(?P<sheet>'[^']+'|[A-Za-z0-9_ ]+)!)?"
    r"(?P<a>\$?[A-Z]{1,3}\$?\d+)(?::(?P<b>\$?[A-Z]{1,3}\$?\d+))?$"
)
_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")
#: A relative same-sheet reference inside a formula (names are lower case, absolute refs and
#: other sheets' refs carry ``$`` / ``!``).
_RELATIVE = re.compile(r"(?<![A-Za-z0-9_$.!'])([A-Z]{1,3})(\d+)(?![A-Za-z0-9_(!])")
#: Relative rows are parsed as ``_SHIFT + offset`` so that the formulas of a column share one
#: parse (the tables repeat one formula per row).
_SHIFT = 1_000_000


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _split_cell(ref: str) -> tuple[int, int]:
    m = _CELL.match(ref)
    if m is None:
        raise EvalError(f"not a cell reference: {ref!r}")
    return int(m.group(2)), _col_index(m.group(1))


def _num(v: Any) -> float:
    if isinstance(v, XlError):
        raise _Propagate(v)
    if isinstance(v, np.ndarray):
        if v.size != 1:
            raise EvalError("a range where a number is expected")
        return _num(v.ravel()[0])
    if v is None:
        return 0.0
    if isinstance(v, bool | int | float | np.number | np.bool_):
        return float(v)
    raise _Propagate(XlError("#VALUE!"))


class _Propagate(Exception):  # noqa: N818 - internal control flow, not an error class
    def __init__(self, err: XlError) -> None:
        self.err = err


def _flat(args: tuple[Any, ...]) -> list[Any]:
    out: list[Any] = []
    for a in args:
        if isinstance(a, np.ndarray):
            out.extend(a.ravel().tolist())
        else:
            out.append(a)
    return out


def _numbers(args: tuple[Any, ...]) -> list[float]:
    """Numbers of the arguments (text, bools and blanks in ranges are skipped, as Excel)."""
    vals = []
    for a in args:
        if isinstance(a, np.ndarray):
            for x in a.ravel().tolist():
                if isinstance(x, XlError):
                    raise _Propagate(x)
                if isinstance(x, int | float) and not isinstance(x, bool):
                    vals.append(float(x))
        else:
            vals.append(_num(a))
    return vals


def _pmt(rate: Any, n: Any, pv: Any, fv: Any = 0.0, kind: Any = 0.0) -> float:
    r, nper, p, f, t = (_num(x) for x in (rate, n, pv, fv, kind))
    if r == 0:
        return -(p + f) / nper
    g = (1 + r) ** nper
    return -(r * (p * g + f)) / ((1 + r * t) * (g - 1))


def _npv(rate: Any, *values: Any) -> float:
    r = _num(rate)
    return sum(v / (1 + r) ** (k + 1) for k, v in enumerate(_numbers(values)))


def _match(value: Any, rng: Any, kind: Any = 1.0) -> float:
    items = _flat((rng,))
    mode = _num(kind)
    if mode == 0:
        for k, x in enumerate(items, start=1):
            if _same(x, value):
                return float(k)
        raise _Propagate(XlError("#N/A"))
    target = _num(value)
    best = 0
    for k, x in enumerate(items, start=1):
        if isinstance(x, int | float) and not isinstance(x, bool) and x <= target:
            best = k
    if best == 0:
        raise _Propagate(XlError("#N/A"))
    return float(best)


def _same(x: Any, y: Any) -> bool:
    if isinstance(x, str) or isinstance(y, str):
        return isinstance(x, str) and isinstance(y, str) and x.lower() == y.lower()
    return _num(x) == _num(y)


def _index(rng: Any, row: Any, col: Any = None) -> Any:
    arr = rng if isinstance(rng, np.ndarray) else np.array([[rng]], dtype=object)
    r = int(_num(row))
    c = 1 if col is None else int(_num(col))
    if arr.shape[0] == 1 and col is None:  # a one-row range: the index runs along it
        r, c = 1, r
    return arr[r - 1, c - 1]


def _ceiling(x: Any, sig: Any = 1.0) -> float:
    v, s = _num(x), _num(sig)
    return 0.0 if s == 0 else math.ceil(v / s) * s


def _roundup(x: Any, digits: Any = 0.0) -> float:
    v, d = _num(x), int(_num(digits))
    f = 10.0**d
    return math.copysign(math.ceil(abs(v) * f) / f, v)


def _and(*args: Any) -> bool:
    return all(bool(_num(x)) for x in _flat(args) if not isinstance(x, str))


def _or(*args: Any) -> bool:
    return any(bool(_num(x)) for x in _flat(args) if not isinstance(x, str))


def _sumproduct(*args: Any) -> float:
    arrays = [np.asarray(a, dtype=object) for a in args]
    total = np.ones_like(arrays[0], dtype=object)
    for a in arrays:
        total = total * np.vectorize(_num_or_zero, otypes=[object])(a)
    return float(sum(total.ravel().tolist()))


def _num_or_zero(x: Any) -> float:
    if isinstance(x, XlError):
        raise _Propagate(x)
    if isinstance(x, bool):
        return float(x)
    return float(x) if isinstance(x, int | float) else 0.0


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "SUM": lambda *a: math.fsum(_numbers(a)),
    "SUMPRODUCT": _sumproduct,
    "MIN": lambda *a: min(_numbers(a), default=0.0),
    "MAX": lambda *a: max(_numbers(a), default=0.0),
    "AVERAGE": lambda *a: math.fsum(v := _numbers(a)) / len(v),
    "COUNT": lambda *a: float(len(_numbers(a))),
    "CEILING": _ceiling,
    "INT": lambda x: float(math.floor(_num(x))),
    "ROUNDUP": _roundup,
    "AND": _and,
    "OR": _or,
    "NOT": lambda x: not bool(_num(x)),
    "ISNUMBER": lambda x: isinstance(x, int | float) and not isinstance(x, bool),
    "PMT": _pmt,
    "NPV": _npv,
    "INDEX": _index,
    "MATCH": _match,
    "EXP": lambda x: _elementwise(math.exp, x),
    "POWER": lambda x, y: _num(x) ** _num(y),
    "ABS": lambda x: _elementwise(abs, x),
    "SMALL": lambda rng, k: _small(rng, k),
    "TEXT": lambda x, fmt: _text_format(x, fmt),
    "COS": lambda x: math.cos(_num(x)),
    "PI": lambda: math.pi,
    "LN": lambda x: math.log(_num(x)),
}


def _elementwise(fn: Callable[[float], float], x: Any) -> Any:
    """``fn`` of a number, or of each element of a range (inside ``SUMPRODUCT``)."""
    if isinstance(x, np.ndarray) and x.size != 1:
        return np.vectorize(lambda v: fn(_num(v)), otypes=[float])(x)
    return fn(_num(x))


def _small(rng: Any, k: Any) -> float:
    """The k-th smallest number of a range (text and blanks skipped)."""
    vals, n = sorted(_numbers((rng,))), int(_num(k))
    if not 1 <= n <= len(vals):
        raise _Propagate(XlError("#NUM!"))
    return vals[n - 1]


_TEXT_FORMAT = re.compile(r"^(#,##)?0(?:\.(0+))?$")


def _text_format(x: Any, fmt: Any) -> str:
    """``TEXT`` for the number formats llmcost writes (``0``, ``#,##0``, ``#,##0.00``…)."""
    m = _TEXT_FORMAT.match(str(fmt))
    if m is None:
        raise EvalError(f"TEXT format {fmt!r} is not implemented")
    digits = len(m.group(2) or "")
    return f"{_num(x):{',' if m.group(1) else ''}.{digits}f}"


class _Parser:
    """Recursive descent over openpyxl's formula tokens into nested tuples (an AST)."""

    def __init__(self, formula: str) -> None:
        from openpyxl.formula.tokenizer import Tokenizer

        self.toks = [t for t in Tokenizer(formula).items if t.type != "WHITE-SPACE"]
        self.i = 0

    def peek(self) -> Any:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> Any:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def parse(self) -> Any:
        node = self.binary(0)
        if self.peek() is not None:
            raise EvalError(f"unexpected token {self.peek().value!r}")
        return node

    LEVELS = (("=", "<>", "<", ">", "<=", ">="), ("&",), ("+", "-"), ("*", "/"), ("^",))

    def binary(self, level: int) -> Any:
        if level == len(self.LEVELS):
            return self.unary()
        node = self.binary(level + 1)
        while (
            (t := self.peek()) is not None
            and t.type == "OPERATOR-INFIX"
            and (t.value in self.LEVELS[level])
        ):
            self.take()
            node = ("op", t.value, node, self.binary(level + 1))
        return node

    def unary(self) -> Any:
        t = self.peek()
        if t is not None and t.type == "OPERATOR-PREFIX":
            self.take()
            operand = self.unary()
            return ("neg", operand) if t.value == "-" else operand
        return self.postfix()

    def postfix(self) -> Any:
        node = self.primary()
        while (t := self.peek()) is not None and t.type == "OPERATOR-POSTFIX":
            self.take()
            node = ("op", "/", node, ("lit", 100.0))
        return node

    def primary(self) -> Any:
        t = self.take()
        if t.type == "OPERAND":
            if t.subtype == "NUMBER":
                return ("lit", float(t.value))
            if t.subtype == "TEXT":
                return ("lit", t.value[1:-1].replace('""', '"'))
            if t.subtype == "LOGICAL":
                return ("lit", t.value.upper() == "TRUE")
            if t.subtype == "ERROR":
                return ("lit", XlError(t.value))
            return ("ref", t.value)
        if t.type == "PAREN" and t.subtype == "OPEN":
            node = self.binary(0)
            self.take()  # ")"
            return node
        if t.type == "FUNC" and t.subtype == "OPEN":
            name = t.value[:-1].upper()
            args: list[Any] = []
            if not (self.peek().type == "FUNC" and self.peek().subtype == "CLOSE"):
                args.append(self.binary(0))
                while self.peek().type == "SEP":
                    self.take()
                    args.append(self.binary(0))
            self.take()  # ")"
            return ("fn", name, args)
        raise EvalError(f"unexpected token {t.value!r}")


_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "^": lambda a, b: a**b,
}


class Evaluator:
    """Values of an openpyxl workbook's cells, formulas evaluated on demand (memoized)."""

    def __init__(self, wb: Any) -> None:
        self.wb = wb
        self.values: dict[tuple[str, int, int], Any] = {}
        self.names: dict[str, str] = {name: dn.attr_text for name, dn in wb.defined_names.items()}
        self._ast: dict[str, Any] = {}

    def cell(self, sheet: str, row: int, col: int) -> Any:
        """The value of one cell (a formula's result)."""
        key = (sheet, row, col)
        if key in self.values:
            return self.values[key]
        c = self.wb[sheet].cell(row=row, column=col)
        raw = c.value
        if c.data_type == "f" and isinstance(raw, str):  # text written as text stays text
            self.values[key] = XlError("#CIRC!")  # guards against a circular reference
            value = self.formula(raw, sheet, row)
        else:
            value = raw
        self.values[key] = value
        return value

    def formula(self, text: str, sheet: str, row: int = 0) -> Any:
        """The result of formula ``text`` (with its ``=``) written on ``sheet`` in ``row``."""
        key = _RELATIVE.sub(lambda m: f"{m.group(1)}{_SHIFT + int(m.group(2)) - row}", text)
        ast = self._ast.get(key)
        if ast is None:
            ast = self._ast[key] = _Parser(key).parse()
        try:
            value = self.eval(ast, sheet, row)
        except _Propagate as exc:
            return exc.err
        except ZeroDivisionError:
            return XlError("#DIV/0!")
        except OverflowError:
            return XlError("#NUM!")
        if isinstance(value, np.ndarray):
            value = value.ravel()[0] if value.size == 1 else XlError("#VALUE!")
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, float) and not math.isfinite(value):
            return XlError("#NUM!")
        return value

    def ref(self, text: str, sheet: str, row: int = 0) -> Any:
        """A cell's value or a range's values (2-D object array)."""
        target = self.names.get(text, text)
        m = _REF.match(target)
        if m is None:
            raise EvalError(f"unknown name or reference {text!r}")
        where = m.group("sheet")
        where = sheet if where is None else where.strip("'")
        r1, c1 = _split_cell(m.group("a"))
        if r1 > _SHIFT // 2:
            r1 += row - _SHIFT
        if m.group("b") is None:
            return self.cell(where, r1, c1)
        r2, c2 = _split_cell(m.group("b"))
        if r2 > _SHIFT // 2:
            r2 += row - _SHIFT
        out = np.empty((r2 - r1 + 1, c2 - c1 + 1), dtype=object)
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                out[r - r1, c - c1] = self.cell(where, r, c)
        return out

    def eval(self, node: Any, sheet: str, row: int = 0) -> Any:
        """Evaluate an AST node of a formula in ``row`` of ``sheet``."""
        kind = node[0]
        if kind == "lit":
            return node[1]
        if kind == "ref":
            return self.ref(node[1], sheet, row)
        if kind == "neg":
            return -self._arith(self.eval(node[1], sheet, row))
        if kind == "op":
            a = self.eval(node[2], sheet, row)
            return self._binary(node[1], a, self.eval(node[3], sheet, row))
        name, args = node[1], node[2]
        if name == "IF":
            test = _num(self.eval(args[0], sheet, row))
            if test:
                return self.eval(args[1], sheet, row)
            return self.eval(args[2], sheet, row) if len(args) > 2 else False
        fn = FUNCTIONS.get(name)
        if fn is None:
            raise EvalError(f"function {name} is not implemented")
        return fn(*(self.eval(a, sheet, row) for a in args))

    @staticmethod
    def _arith(v: Any) -> Any:
        if isinstance(v, np.ndarray):
            return np.vectorize(_num, otypes=[float])(v)
        return _num(v)

    def _binary(self, op: str, a: Any, b: Any) -> Any:
        if op == "&":
            return f"{_text(a)}{_text(b)}"
        if op in _OPS:
            x, y = self._arith(a), self._arith(b)
            if op == "/" and not isinstance(y, np.ndarray) and y == 0:
                raise ZeroDivisionError
            return _OPS[op](x, y)
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            return _compare_arrays(op, a, b)
        return _compare(op, a, b)


def _text(v: Any) -> str:
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _rank(v: Any) -> tuple[int, Any]:
    """Excel's ordering across types: numbers < text < logicals."""
    if isinstance(v, XlError):
        raise _Propagate(v)
    if isinstance(v, bool):
        return (2, v)
    if isinstance(v, str):
        return (1, v.lower())
    return (0, 0.0 if v is None else float(v))


def _compare(op: str, a: Any, b: Any) -> bool:
    x, y = _rank(a), _rank(b)
    return {
        "=": x == y,
        "<>": x != y,
        "<": x < y,
        ">": x > y,
        "<=": x <= y,
        ">=": x >= y,
    }[op]


def _compare_arrays(op: str, a: Any, b: Any) -> Any:
    aa, bb = np.broadcast_arrays(np.asarray(a, dtype=object), np.asarray(b, dtype=object))
    out = np.empty(aa.shape, dtype=object)
    for idx in np.ndindex(aa.shape):
        out[idx] = _compare(op, aa[idx], bb[idx])
    return out


# --- storing the values in the saved file ---------------------------------------------------

_C_OPEN = re.compile(r'<c r="([A-Z]+\d+)"([^>]*)>(<f>.*?</f>)(<v\s*/>|<v>.*?</v>)?</c>', re.S)


def _cell_xml(ref: str, attrs: str, formula: str, value: Any) -> str:
    attrs = re.sub(r'\s+t="[^"]*"', "", attrs)
    if isinstance(value, XlError):
        return f'<c r="{ref}"{attrs} t="e">{formula}<v>{escape(value.code)}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{attrs} t="b">{formula}<v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"{attrs}>{formula}<v>{float(value)!r}</v></c>'
    if value is None:
        return f'<c r="{ref}"{attrs}>{formula}<v>0</v></c>'
    return f'<c r="{ref}"{attrs} t="str">{formula}<v>{escape(str(value))}</v></c>'


def add_cached_values(wb: Any, path: str | Path) -> None:
    """Evaluate every formula of ``wb`` and store the results next to the formulas.

    ``wb`` is already saved to ``path``; readers that do not recalculate then see the values.
    """
    ev = Evaluator(wb)
    sheets = {f"xl/worksheets/sheet{k}.xml": ws.title for k, ws in enumerate(wb.worksheets, 1)}
    src = Path(path)
    tmp = src.with_name(src.name + ".cached")
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            title = sheets.get(item.filename)
            if title is not None:
                text = data.decode("utf-8")

                def fill(m: re.Match[str], title: str = title) -> str:
                    row, col = _split_cell(m.group(1))
                    return _cell_xml(m.group(1), m.group(2), m.group(3), ev.cell(title, row, col))

                data = _C_OPEN.sub(fill, text).encode("utf-8")
            zout.writestr(item, data)
    tmp.replace(src)
