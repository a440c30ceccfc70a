#!/usr/bin/python3
# Tests of the add-secret request builder tools/se-secret (TAP output).
#
# Every request is decrypted by an independent reader written here from
# s390-tools (rust/pv/src/req/, rust/pv/src/uvsecret/asrcb.rs,
# guest_secret.rs) with Python "cryptography" (OpenSSL) only: the key slot
# unwrapped with the host private key (P-521 ECDH, SHA-256(Z || 00000001),
# AES-256-GCM), the request with AES-256-GCM over everything before the
# encrypted area; then every field is compared with what was asked for.
#
# Usage: test_se_secret.py PATH/TO/se-secret PATH/TO/mk-se-image
#
# SPDX-License-Identifier: GPL-2.0-or-later

import hashlib
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import traceback

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, '..', '..'))
SESEC, MKSE = sys.argv[1], sys.argv[2]
TMP = tempfile.mkdtemp(prefix='se-secret-test-')


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def path(name):
    return os.path.join(TMP, name)


def wr(name, data):
    with open(path(name), 'wb') as f:
        f.write(data)
    return path(name)


def rd(p):
    with open(p, 'rb') as f:
        return f.read()


def run(*args):
    return subprocess.run([SESEC] + list(args), capture_output=True,
                          text=True)


# ---- fixtures: a host key and an SE image with a known CCK -----------------

subprocess.run(['bash', os.path.join(TOP, 'scripts', 'mk-test-host-key.sh'),
                TMP, 'host'], check=True, stdout=subprocess.DEVNULL)
HKD = path('host.crt')
HOST = serialization.load_pem_private_key(rd(path('host.key')), None)
CCK = hashlib.sha256(b'test cck').digest()
kernel = bytearray(hashlib.shake_256(b'kernel').digest(0x20000))
kernel[0x10008:0x1000e] = b'S390EP'
struct.pack_into('>Q', kernel, 0x10430, 4096)      # max command line
subprocess.run([MKSE, '--no-verify', '-k', HKD, '-i',
                wr('vmlinuz', bytes(kernel)), '-o', path('se.img'),
                '--comm-key', wr('cck', CCK)], check=True,
               stdout=subprocess.DEVNULL)
IMG = rd(path('se.img'))
_off = next(o for o in range(0, len(IMG), 4096)
            if IMG[o:o + 8] == b'IBMSecEx')
_phs = struct.unpack_from('>I', IMG, _off + 12)[0]
HDR = IMG[_off:_off + _phs]
TAGS = HDR[0xe0:0x1a0] + HDR[-16:]


def open_asrcb(req):
    """Decrypt a request; its fields as a dict."""
    check(req[:6] == b'asrcbM', 'magic %r' % req[:8])
    rqvn, rql = struct.unpack_from('>II', req, 8)
    check(rqvn == 0x100 and rql == len(req), (hex(rqvn), rql, len(req)))
    nks, sea = req[0x27], struct.unpack_from('>I', req, 0x2c)[0]
    check(req[0x418:0x426] == bytes(14) and req[0x468:0x476] == bytes(14),
          'customer key padding')
    cust = ec.EllipticCurvePublicNumbers(
        int.from_bytes(req[0x426:0x468], 'big'),
        int.from_bytes(req[0x476:0x4b8], 'big'), ec.SECP521R1()).public_key()
    pub = HOST.public_key().public_numbers()
    phkh = hashlib.sha256(pub.x.to_bytes(80, 'big') +
                          pub.y.to_bytes(80, 'big')).digest()
    slot = req[0x4b8:0x4b8 + 80]
    check(nks == 1 and slot[:32] == phkh, 'key slot')
    kek = hashlib.sha256(HOST.exchange(ec.ECDH(), cust) +
                         b'\0\0\0\1').digest()
    prot = AESGCM(kek).decrypt(bytes(12), slot[32:], None)
    aad = rql - sea - 16
    plain = AESGCM(prot).decrypt(req[0x10:0x1c], req[aad:], req[:aad])
    shdr = req[0x508:aad]
    stype, slen = struct.unpack_from('>HI', shdr, 2)
    check(len(shdr) == (0x10 if stype == 1 else 0x30), 'secret header')
    check(slen + 32 == sea == len(plain), (slen, sea))
    return {'user_type': struct.unpack_from('>H', req, 6)[0],
            'flags': struct.unpack_from('>Q', req, 0x30)[0],
            'tags': req[0x38:0x108], 'cuid': req[0x108:0x118],
            'user': req[0x218:0x418], 'type': stype,
            'id': shdr[0x10:0x30] if stype != 1 else None,
            'secret': plain[:slen], 'ext': plain[slen:]}


def create(*args):
    out = path('req')
    r = run('create', '-k', HKD, '--hdr', path('se.img'), '-o', out, *args)
    check(r.returncode == 0, 'se-secret %s: %s' % (args, r.stderr))
    f = open_asrcb(rd(out))
    check(f['tags'] == TAGS, 'not bound to the image')
    return f, r.stdout


def sha(name):
    return hashlib.sha256(name.encode()).digest()


# ---- tests ------------------------------------------------------------------

def t_association():
    f, out = create('association', 'apqn one', '--output-secret',
                    path('assoc.out'))
    check(f['type'] == 2 and f['id'] == sha('apqn one'), f['type'])
    check(f['secret'] == rd(path('assoc.out')) and len(f['secret']) == 32,
          'the random secret is not the one written out')
    check(f['ext'] == bytes(32) and f['cuid'] == bytes(16) and
          f['flags'] == 0 and f['user_type'] == 0, 'defaults')
    check('secret-id: ' + sha('apqn one').hex() in out, out)
    f, _ = create('association', 'x', '--secret', wr('a', b'\x11' * 32),
                  '--use-name')
    check(f['secret'] == b'\x11' * 32 and f['id'] == b'x' + bytes(31),
          '--secret / --use-name')


def t_symmetric():
    for typ, n, want in (('aes', 16, 4), ('aes', 24, 5), ('aes', 32, 6),
                         ('aes-xts', 32, 7), ('aes-xts', 64, 8),
                         ('hmac-sha', 64, 9), ('hmac-sha', 128, 10)):
        key = bytes(range(n))
        f, _ = create('retrievable', 'k', '--type', typ, '--secret',
                      wr('k', key))
        check(f['type'] == want and f['secret'] == key and
              f['id'] == sha('k'), (typ, n, f['type']))


def t_plain():
    for data in (b'', b'p' * 13, b'q' * 14, b'r' * 8190):
        f, _ = create('retrievable', 'p', '--type', 'plain', '--secret',
                      wr('p', data))
        want = struct.pack('>H', len(data)) + data
        want += bytes(-len(want) % 16)
        check(f['type'] == 3 and f['secret'] == want, len(data))
    r = run('create', '-k', HKD, '--hdr', path('se.img'), '-o', path('x'),
            'retrievable', 'p', '--type', 'plain', '--secret',
            wr('big', b'z' * 8191))
    check(r.returncode == 1 and 'at most 8190' in r.stderr, r.stderr)


def t_ec():
    # scalars with the top bit set: GnuTLS exports them with a zero byte
    curves = ((ec.SECP256R1(), 0x11, 32), (ec.SECP384R1(), 0x12, 48),
              (ec.SECP521R1(), 0x13, 80))
    for curve, want, size in curves:
        bits = curve.key_size
        d = (1 << (bits - 1)) | 0x1234567
        if bits == 521:
            d = (1 << 519) | 0x7654321
        key = ec.derive_private_key(d, curve)
        pem = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        f, _ = create('retrievable', 'e', '--type', 'ec', '--secret',
                      wr('ec.pem', pem))
        check(f['type'] == want and f['secret'] == d.to_bytes(size, 'big'),
              (curve.name, f['type'], f['secret'].hex()))
    for cls, want, size in ((ed25519.Ed25519PrivateKey, 0x14, 32),
                            (ed448.Ed448PrivateKey, 0x15, 64)):
        raw = bytes([0xff]) + bytes(range(1, 57 if want == 0x15 else 32))
        key = cls.from_private_bytes(raw)
        der = key.private_bytes(serialization.Encoding.DER,
                                serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        f, _ = create('retrievable', 'e', '--type', 'ec', '--secret',
                      wr('ed.der', der))
        check(f['type'] == want and
              f['secret'] == bytes(size - len(raw)) + raw, want)


def t_options():
    ext = HKDF(hashes.SHA512(), 32, TAGS[-16:],
               b'IBM Z Ultravisor Add-Secret').derive(CCK)
    f, _ = create('--cck', path('cck'), '--cuid-hex',
                  '0x000102030405060708090a0b0c0d0e0f', '--flags',
                  'disable-dump', '--user-data', wr('u', b'hello'), 'meta')
    check(f['type'] == 1 and f['id'] is None and f['secret'] == b'', 'meta')
    check(f['ext'] == ext, 'extension secret not HKDF-SHA512(CCK, tag)')
    check(f['cuid'] == bytes(range(16)), f['cuid'].hex())
    check(f['flags'] == 1 << 63, hex(f['flags']))
    check(f['user_type'] == 1 and f['user'] == b'hello' + bytes(507),
          'user data')
    f, _ = create('--extension-secret', wr('e', b'\x42' * 32),
                  'update-cck', '--secret', wr('c', b'\x24' * 32))
    check(f['type'] == 0x16 and f['secret'] == b'\x24' * 32 and
          f['ext'] == b'\x42' * 32, 'update-cck')


def t_errors():
    base = ['create', '-k', HKD, '--hdr', path('se.img'), '-o', path('x')]
    cases = [
        (['retrievable', 'k', '--type', 'des', '--secret', path('cck')],
         "unknown secret type 'des'"),
        (['retrievable', 'k', '--type', 'aes', '--secret',
          wr('k5', b'12345')], 'aes key of 5 bytes is not supported'),
        (['association', 'a', '--secret', path('cck'), '--output-secret',
          path('o')], '--output-secret is for a random association'),
        (['meta', 'name'], 'meta takes no NAME'),
        (['--extension-secret', path('cck'), '--cck', path('cck'), 'meta'],
         'exclude each other'),
        (['--cuid-hex', '0x1234', 'meta'], '32 hex digits'),
        (['bogus', 'x'], "unknown secret type 'bogus'"),
    ]
    for args, msg in cases:
        r = run(*(base + args))
        check(r.returncode == 1 and msg in r.stderr,
              '%s: exit %d, %r' % (args, r.returncode, r.stderr))
    r = run('create', '-k', HKD, '--hdr', HKD, '-o', path('x'), 'meta')
    check(r.returncode == 1 and 'no SE header' in r.stderr, r.stderr)


TESTS = [t_association, t_symmetric, t_plain, t_ec, t_options, t_errors]


def main():
    print('1..%d' % len(TESTS))
    failed = 0
    for i, t in enumerate(TESTS, 1):
        name = t.__name__[2:]
        try:
            t()
        except Exception:
            failed += 1
            print('not ok %d - %s' % (i, name))
            for line in traceback.format_exc().splitlines():
                print('# ' + line)
            continue
        print('ok %d - %s' % (i, name))
    shutil.rmtree(TMP, ignore_errors=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
