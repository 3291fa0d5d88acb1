#!/usr/bin/python3
"""Independent recovery tool for Tessera share files, format version 1.

Written from docs/share-format.md alone (no look at src/), to show that the document is precise
enough to rebuild an original in another language. Pure Python 3 + python3-cryptography (AES-GCM).

    python3 tessera_recover.py SHARE... --out FILE      rebuild the original from k or more shares
    python3 tessera_recover.py --vectors PATH           check the known-answer vectors (§10)

On refusal: prints `error <code>: <message>` to stderr and exits 1. Problems that do not stop the
rebuild (a damaged spare share, a share of another split) are printed as `warning <code>: ...`.
Section numbers (§) refer to docs/share-format.md.
"""
import argparse, hashlib, hmac, itertools, json, os, sys

try:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.exceptions import InvalidTag
except ImportError:  # pragma: no cover
    sys.exit('error setup: python3-cryptography is missing (Debian: apt-get install python3-cryptography)')

MAGIC = bytes([0x89, 0x54, 0x53, 0x52, 0x0D, 0x0A, 0x1A, 0x0A])
HEADER = 108
SCHEMES = {1: 'shamir', 2: 'ssms'}

# ---------------------------------------------------------------- §2 GF(2^8), polynomial 0x11b
EXP, LOG = [0] * 510, [0] * 256
_v = 1
for _i in range(255):  # 0x03 generates the multiplicative group
    EXP[_i] = EXP[_i + 255] = _v
    LOG[_v] = _i
    _v ^= ((_v << 1) ^ (0x11B if _v & 0x80 else 0)) & 0xFF  # v·3 = v ^ v·2


def mul(a, b):
    return 0 if a == 0 or b == 0 else EXP[LOG[a] + LOG[b]]


def inv(a):
    if a == 0:
        raise ZeroDivisionError('0 has no inverse in GF(2^8)')
    return EXP[255 - LOG[a]]


def div(a, b):
    return mul(a, inv(b))


MULTAB = [bytes(mul(a, b) for b in range(256)) for a in range(256)]  # row a: b -> a·b, for bytes.translate


def xor(a, b):
    return bytes(p ^ q for p, q in zip(a, b)) if len(a) < 64 else \
        (int.from_bytes(a, 'big') ^ int.from_bytes(b, 'big')).to_bytes(len(a), 'big')


def combine(coefficients, vectors):
    """Σ cⱼ·vⱼ over GF, byte-wise."""
    out = bytes(len(vectors[0]))
    for c, v in zip(coefficients, vectors):
        if c:
            out = xor(out, v.translate(MULTAB[c]))
    return out


assert mul(0x57, 0x83) == 0xC1 and inv(0x53) == 0xCA  # the worked examples of §2

# ---------------------------------------------------------------- §6.1 Lagrange, §6.3 Cauchy + Gauss–Jordan


def lagrange(xs, at=0):
    """λⱼ(at) = ∏_{m≠j} (at + xₘ) / (xⱼ + xₘ); at = 0 gives the §6.1 formula for the secret."""
    out = []
    for j, xj in enumerate(xs):
        lam = 1
        for m, xm in enumerate(xs):
            if m != j:
                lam = mul(lam, div(at ^ xm, xj ^ xm))
        out.append(lam)
    return out


def generator_row(r, k):
    """Row r of the n×k generator G: identity for r < k, Cauchy 1/(r XOR j) below."""
    return [int(r == j) for j in range(k)] if r < k else [inv(r ^ j) for j in range(k)]


def invert(matrix):
    """Gauss–Jordan inversion of a square matrix over GF."""
    k = len(matrix)
    a = [list(row) + [int(i == j) for j in range(k)] for i, row in enumerate(matrix)]
    for col in range(k):
        pivot = next((r for r in range(col, k) if a[r][col]), None)
        if pivot is None:
            raise ValueError('singular matrix')
        a[col], a[pivot] = a[pivot], a[col]
        p = inv(a[col][col])
        a[col] = [mul(p, v) for v in a[col]]
        for r in range(k):
            if r != col and a[r][col]:
                f = a[r][col]
                a[r] = [v ^ mul(f, w) for v, w in zip(a[r], a[col])]
    return [row[k:] for row in a]


assert generator_row(2, 2) == [0x8D, 0xF6]  # the example of §6.3

# ---------------------------------------------------------------- §3 header, §7 step 1


class Refusal(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


def ceil_div(a, b):
    return -(-a // b)


def chunk_count(size, chunk_size):
    return max(1, ceil_div(size, chunk_size))


def chunk_length(i, size, chunk_size):
    return min(chunk_size, size - i * chunk_size)


def record_length(scheme, k, length):
    return length + 16 if scheme == 1 else ceil_div(length + 16, k)


def data_length(scheme, k, size, chunk_size):
    """Σᵢ recordLength(Lᵢ) without walking up to 2^32 chunks."""
    full, rest = divmod(size, chunk_size)
    if size == 0:
        return record_length(scheme, k, 0)
    return full * record_length(scheme, k, chunk_size) + (record_length(scheme, k, rest) if rest else 0)


class Share:
    def __init__(self, index, name, data):
        self.index, self.name, self.data = index, name, data
        h = data[:HEADER]
        self.scheme, self.k, self.n, self.x = h[9], h[10], h[11], h[12]
        self.chunk_size = int.from_bytes(h[16:20], 'big')
        self.size = int.from_bytes(h[20:28], 'big')
        self.split_id, self.key_share = h[28:44], h[44:76]
        self.binding = h[8:12] + h[16:44]  # §3: version, scheme, k, n ‖ chunkSize, size, splitId
        self.group = (self.split_id, self.scheme, self.k, self.n, self.chunk_size, self.size)

    def label(self):
        return f'share #{self.index + 1} (x={self.x}, {self.name})'


def check_share(index, name, data):
    """§7 step 1, in the order given there. Returns a Share or raises Refusal."""
    where = f'share #{index + 1} ({name})'
    if len(data) < len(MAGIC) or data[:8] != MAGIC:
        raise Refusal('share.magic', f'{where} is not a Tessera share (wrong magic)')
    if len(data) < 9:
        raise Refusal('share.truncated', f'{where} is cut off inside its header')
    if data[8] != 1:
        raise Refusal('share.version', f'{where} has format version {data[8]}; this tool reads version 1 only')
    if len(data) < HEADER:
        raise Refusal('share.truncated', f'{where} is cut off inside its header ({len(data)} of {HEADER} bytes)')
    if hashlib.sha256(data[:76]).digest() != data[76:HEADER]:
        raise Refusal('share.header-corrupt', f'{where} has a damaged header (digest mismatch)')
    s = Share(index, name, data)
    if not (s.scheme in SCHEMES and 2 <= s.k <= s.n and 1 <= s.x <= s.n and data[13:16] == b'\0\0\0'
            and 1 <= s.chunk_size <= 2 ** 26 and s.size < 2 ** 53 and chunk_count(s.size, s.chunk_size) <= 2 ** 32):
        raise Refusal('share.header-corrupt', f'{where} has a damaged header (field out of range)')
    expected = HEADER + data_length(s.scheme, s.k, s.size, s.chunk_size)
    if len(data) < expected:
        raise Refusal('share.truncated', f'{where} is {len(data)} bytes, {expected} expected: it was cut off')
    if len(data) > expected:
        raise Refusal('share.corrupt', f'{where} is {len(data)} bytes, {expected} expected: extra bytes at the end')
    return s

# ---------------------------------------------------------------- §4 chunk authentication, §6.2 / §6.3 rebuild


def nonce(split_id, i, count):
    return split_id[:7] + i.to_bytes(4, 'big') + (b'\x01' if i == count - 1 else b'\x00')


class Recovery:
    def __init__(self, shares, warn):
        self.shares, self.warn = shares, warn
        first = shares[0]
        self.scheme, self.k, self.size, self.chunk_size = first.scheme, first.k, first.size, first.chunk_size
        self.binding, self.split_id = first.binding, first.split_id
        self.count = chunk_count(self.size, self.chunk_size)
        self.keys = {}
        self.reported = set()

    def key(self, subset):
        xs = tuple(s.x for s in subset)
        if xs not in self.keys:  # §5: K interpolated at 0 from the same k shares' keyShares
            self.keys[xs] = combine(lagrange(xs), [s.key_share for s in subset])
        return self.keys[xs]

    def try_chunk(self, subset, i, offset, length):
        """Rebuild chunk i from the k shares in `subset`; (plaintext, check) or None if it does not verify.
        `check(share, record)` tells whether a share outside the subset holds what it should (§7 step 4)."""
        rlen = record_length(self.scheme, self.k, length)
        records = [s.data[offset:offset + rlen] for s in subset]
        xs = [s.x for s in subset]
        aead, iv = AESGCM(self.key(subset)), nonce(self.split_id, i, self.count)
        if self.scheme == 1:  # §6.2 shamir: Sᵢ = Pᵢ ‖ Tᵢ is Shamir-shared byte-wise
            secret = combine(lagrange(xs), records)
            plain, tag = secret[:length], secret[length:]
            if not hmac.compare_digest(aead.encrypt(iv, plain, self.binding)[-16:], tag):
                return None
            return plain, lambda s, rec: combine(lagrange(xs, s.x), records) == rec
        # §6.3 ssms: records are RS fragments x−1 of GCM(Pᵢ)
        if xs == list(range(1, self.k + 1)):
            fragments = records
        else:
            m_inv = invert([generator_row(x - 1, self.k) for x in xs])
            fragments = [combine(row, records) for row in m_inv]
        padded = b''.join(fragments)
        if any(padded[length + 16:]):
            return None  # non-zero padding: treated like a tag that does not verify
        try:
            plain = aead.decrypt(iv, padded[:length + 16], self.binding)
        except InvalidTag:
            return None
        return plain, lambda s, rec: combine(generator_row(s.x - 1, self.k), fragments) == rec

    def name_bad(self, subset, check, offset, rlen, i):
        """§7 step 4: compare every share outside the subset with what it should hold."""
        xs = [s.x for s in subset]
        for s in self.shares:
            if s in subset or s.x in self.reported:
                continue
            key_ok = combine(lagrange(xs, s.x), [t.key_share for t in subset]) == s.key_share
            if not key_ok or not check(s, s.data[offset:offset + rlen]):
                self.reported.add(s.x)
                what = 'key share' if not key_ok else f'record of chunk {i}'
                self.warn('share.corrupt', f'{s.label()} is damaged: its {what} does not match the other shares')

    def run(self, out):
        k, subset = self.k, tuple(self.shares[:self.k])
        offset = HEADER
        self.used = set()
        for i in range(self.count):
            length = chunk_length(i, self.size, self.chunk_size)
            rlen = record_length(self.scheme, k, length)
            result = self.try_chunk(subset, i, offset, length)
            if result is None:  # §7 step 3: try other k-subsets; the first that verifies is kept
                for other in itertools.combinations(self.shares, k):
                    if other != subset:
                        result = self.try_chunk(other, i, offset, length)
                        if result is not None:
                            subset = other
                            break
            if result is None:
                raise Refusal('share.corrupt', f'chunk {i} does not verify with any {k} of the {len(self.shares)} '
                              'shares given: at least one of them is damaged'
                              + (' (with exactly k shares it cannot be told which)' if len(self.shares) == k else ''))
            plain, check = result
            self.used.update(s.x for s in subset)
            if len(self.shares) > k:
                self.name_bad(subset, check, offset, rlen, i)
            out.write(plain)
            offset += rlen

# ---------------------------------------------------------------- §7 steps 1–2 and the command line


def recover(named_blobs, out, warn):
    """named_blobs: [(name, bytes)]. Writes the original to the binary stream `out`. Raises Refusal."""
    usable, aside = [], []
    for index, (name, data) in enumerate(named_blobs):
        try:
            usable.append(check_share(index, name, data))
        except Refusal as r:
            aside.append(r)
            warn(r.code, r.message)
    groups = {}
    for s in usable:  # dict keeps first-appearance order: ties between largest groups go to the first
        groups.setdefault(s.group, []).append(s)
    group = max(groups.values(), key=len) if groups else []
    for s in usable:
        if s not in group:
            warn('share.mismatch', f'{s.label()} belongs to another protected file or split; left out')
    seen = {}
    for s in group:
        if s.x in seen:
            raise Refusal('share.duplicate', f'the share with x={s.x} was given twice '
                          f'(#{seen[s.x].index + 1} and #{s.index + 1})')
        seen[s.x] = s
    k = group[0].k if group else None
    if not group or len(group) < k:
        have = len(group)
        need = f', and {k} are needed' if k else ''
        aside_text = '; set aside: ' + ', '.join(f'{r.code}' for r in aside) if aside else ''
        if len(groups) > 1:
            raise Refusal('share.mismatch', f'the shares come from {len(groups)} different protected files or splits;'
                          f' the largest group has {have}{need}')
        raise Refusal('share.too-few', f'{have} usable shares{need}{aside_text}')
    job = Recovery(group, warn)
    job.run(out)
    return job


def rebuild_files(paths, out_path):
    def warn(code, message):
        print(f'warning {code}: {message}', file=sys.stderr)
    blobs = []
    for p in paths:
        with open(p, 'rb') as f:
            blobs.append((p, f.read()))
    partial = out_path + '.partial'
    try:
        with open(partial, 'wb') as out:
            job = recover(blobs, out, warn)
        os.replace(partial, out_path)
    except Refusal as r:
        if os.path.exists(partial):
            os.remove(partial)
        print(f'error {r.code}: {r.message}', file=sys.stderr)
        return 1
    print(f'rebuilt {out_path}: {job.size} bytes from shares x={sorted(job.used)}')
    return 0

# ---------------------------------------------------------------- §10 known-answer vectors (+ a writer)


def xorshift32(seed):
    state = seed & 0xFFFFFFFF  # §10: state₀ = seed

    def take(count):
        nonlocal state
        out = bytearray(count)
        for i in range(count):
            state ^= (state << 13) & 0xFFFFFFFF
            state ^= state >> 17
            state ^= (state << 5) & 0xFFFFFFFF
            out[i] = state & 0xFF
        return bytes(out)
    return take


def shamir_split(secret, k, n, rand):
    """§6.1 with the coefficient order of §10 (coefficient 1 for all bytes, then 2, ...)."""
    coefficients = [rand(len(secret)) for _ in range(k - 1)]
    shares = []
    for x in range(1, n + 1):
        acc = bytes(len(secret))
        for c in reversed([secret] + coefficients):  # Horner
            acc = xor(acc.translate(MULTAB[x]), c)
        shares.append(acc)
    return shares


def write_shares(plain, scheme, k, n, chunk_size, seed):
    """A writer from §3–§6 and §10, to test whether the document pins the bytes too."""
    rand = xorshift32(seed)
    split_id, key = rand(16), rand(32)
    key_shares = shamir_split(key, k, n, rand)
    fixed = bytes([1, scheme, k, n])
    tail = chunk_size.to_bytes(4, 'big') + len(plain).to_bytes(8, 'big') + split_id
    out = []
    for x in range(1, n + 1):
        head = MAGIC + fixed + bytes([x, 0, 0, 0]) + tail + key_shares[x - 1]
        out.append(bytearray(head + hashlib.sha256(head).digest()))
    count, aead = chunk_count(len(plain), chunk_size), AESGCM(key)
    for i in range(count):
        p = plain[i * chunk_size:(i + 1) * chunk_size]
        sealed = aead.encrypt(nonce(split_id, i, count), p, fixed + tail)
        if scheme == 1:
            records = shamir_split(p + sealed[-16:], k, n, rand)
        else:
            f = ceil_div(len(sealed), k)
            padded = sealed + bytes(k * f - len(sealed))
            data = [padded[j * f:(j + 1) * f] for j in range(k)]
            records = [combine(generator_row(r, k), data) for r in range(n)]
        for x in range(n):
            out[x] += records[x]
    return [bytes(s) for s in out]


def check_vectors(path):
    import io
    with open(path) as f:
        doc = json.load(f)
    failures = 0
    for v in doc['vectors']:
        shares = [(f'x={s["x"]}', bytes.fromhex(s['bytes'])) for s in v['shares']]
        plain, k, n = bytes.fromhex(v['plaintext']), v['k'], v['n']
        problems, trials = [], 0
        subsets = [list(c) for c in itertools.combinations(shares, k)]
        subsets += [shares, shares[::-1]]  # more than k: step 4 must name nothing
        for subset in subsets:
            trials += 1
            notes = []
            buf = io.BytesIO()
            try:
                recover(subset, buf, lambda code, msg: notes.append(code))
                if buf.getvalue() != plain:
                    problems.append(f'{[name for name, _ in subset]}: wrong bytes')
                elif notes:
                    problems.append(f'{[name for name, _ in subset]}: unexpected {notes}')
            except Refusal as r:
                problems.append(f'{[name for name, _ in subset]}: error {r.code}: {r.message}')
        scheme = {'shamir': 1, 'ssms': 2}[v['scheme']]
        written = write_shares(plain, scheme, k, n, v['chunkSize'], v['randomSeed'])
        same = sum(w == s for w, (_, s) in zip(written, shares))
        writer = f'writer reproduces {same}/{n} shares byte for byte'
        if same != n:
            problems.append(writer)
        status = 'ok  ' if not problems else 'FAIL'
        failures += bool(problems)
        print(f'{status} {v["name"]}: {trials - 2} k-subsets of {n} + all {n} rebuilt; {writer}'
              + ''.join(f'\n     {p}' for p in problems))
    print(f'vectors: {len(doc["vectors"]) - failures} ok, {failures} failed')
    return 1 if failures else 0


def main(argv=None):
    ap = argparse.ArgumentParser(description='Rebuild a Tessera original from k share files (format v1).')
    ap.add_argument('shares', nargs='*', metavar='SHARE')
    ap.add_argument('--out', metavar='FILE', help='where to write the rebuilt original')
    ap.add_argument('--vectors', metavar='PATH', help='check the known-answer vectors in PATH instead')
    args = ap.parse_args(argv)
    if args.vectors:
        return check_vectors(args.vectors)
    if not args.out:
        ap.error('--out FILE is required')
    return rebuild_files(args.shares, args.out)


if __name__ == '__main__':
    sys.exit(main())
