"""PIN rules: what a lock accepts, what we never hand out, and a generator that obeys both."""

import secrets

DEFAULT_CODE_LENGTHS = [4, 5, 6, 7, 8]

# PINs people guess first (lists of leaked PINs are led by these), beyond the all-same and
# straight-sequence ones caught by rule.
COMMON_PINS = frozenset(
    [
        "1212",
        "1004",
        "2000",
        "6969",
        "1122",
        "1313",
        "4321",
        "2001",
        "1010",
        "2580",
        "0852",
        "1984",
        "1999",
        "2020",
        "2021",
        "2022",
        "2023",
        "2024",
        "2025",
        "2026",
        "1230",
        "0007",
        "7007",
        "1357",
        "2468",
        "9876",
        "5683",
        "0911",
        "1112",
        "112233",
        "121212",
        "123123",
        "159753",
        "131313",
        "102030",
        "147258",
        "258456",
        "696969",
        "111222",
        "123321",
        "1234567",
        "12345678",
        "11223344",
        "88888888",
    ]
)

CONSTRAINT_MESSAGES = {
    "no_zeros": "it must not contain the digit 0",
    "cannot_start_with_12": "it must not start with 12",
    "no_triple_consecutive_ints": "it must not contain three consecutive digits like 123 or 321",
    "no_ascending_or_descending_sequence": "it must not be an ascending or descending sequence",
    "at_least_three_unique_digits": "it needs at least three different digits",
    "no_all_same_digits": "it must not be the same digit repeated",
    "cannot_contain_089": "it must not contain the digits 0, 8 or 9",
    "cannot_contain_0789": "it must not contain the digits 0, 7, 8 or 9",
}


def _is_run(code: str, step: int) -> bool:
    return all((int(b) - int(a)) % 10 == step for a, b in zip(code, code[1:], strict=False))


def _has_triple(code: str) -> bool:
    for i in range(len(code) - 2):
        a, b, c = (int(x) for x in code[i : i + 3])
        if (b - a == 1 and c - b == 1) or (a - b == 1 and b - c == 1):
            return True
    return False


def _breaks(constraint: str, code: str) -> bool:
    match constraint:
        case "no_zeros":
            return "0" in code
        case "cannot_start_with_12":
            return code.startswith("12")
        case "no_triple_consecutive_ints":
            return _has_triple(code)
        case "no_ascending_or_descending_sequence":
            return _is_run(code, 1) or _is_run(code, 9)
        case "at_least_three_unique_digits":
            return len(set(code)) < 3
        case "no_all_same_digits":
            return len(set(code)) == 1
        case "cannot_contain_089":
            return any(d in code for d in "089")
        case "cannot_contain_0789":
            return any(d in code for d in "0789")
    return False


def pin_violations(code: str, lengths: list[int], constraints: list[str]) -> list[str]:
    """What is wrong with `code` for a lock with these lengths and constraints, in words."""
    # isdigit() alone takes "²" or "٣" too, which no keypad has (and int() may not read).
    if not (code.isascii() and code.isdigit()):
        return ["a PIN is made of digits only (0 to 9)"]
    problems = []
    lengths = lengths or DEFAULT_CODE_LENGTHS
    if len(code) not in lengths:
        allowed = ", ".join(str(n) for n in sorted(lengths))
        problems.append(f"this lock takes PINs of {allowed} digits, not {len(code)}")
    problems += [
        CONSTRAINT_MESSAGES[c] for c in constraints if c in CONSTRAINT_MESSAGES and _breaks(c, code)
    ]
    return problems


def weak_pin_reason(code: str) -> str:
    """Why `code` is too easy to guess to be given to anyone, or '' when it is fine."""
    if len(set(code)) == 1:
        return "it is the same digit repeated"
    if _is_run(code, 1) or _is_run(code, 9):
        return "it is a straight sequence"
    if code in COMMON_PINS or code[: len(code) // 2] * 2 == code:
        return "it is one of the most commonly guessed PINs"
    return ""


def generate_pin(
    *,
    lengths: list[int],
    constraints: list[str],
    taken: set[str],
    preferred_length: int | None = None,
) -> str:
    """A cryptographically random PIN the lock accepts, not weak, and not in `taken`."""
    lengths = lengths or DEFAULT_CODE_LENGTHS
    if preferred_length in lengths:
        length = preferred_length
    else:
        length = 4 if 4 in lengths else min(lengths)
    alphabet = "0123456789"
    if "cannot_contain_0789" in constraints:
        alphabet = "123456"
    elif "cannot_contain_089" in constraints:
        alphabet = "1234567"
    elif "no_zeros" in constraints:
        alphabet = "123456789"
    # With 4+ digits and at most a few hundred codes a lock can hold, a few thousand draws
    # always find a free PIN; the bound only stops a lock whose rules admit almost nothing.
    for _ in range(5000):
        code = "".join(secrets.choice(alphabet) for _ in range(length))
        if code in taken or weak_pin_reason(code):
            continue
        if not pin_violations(code, lengths, constraints):
            return code
    raise ValueError("No PIN satisfies this lock's rules; check its code lengths and constraints.")
