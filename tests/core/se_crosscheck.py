#!/usr/bin/python3
# Independent cross-check of the Secure Execution core.
#
# This script implements the SE header v1 and the image page protection a
# second time, from s390-tools (v2.35.0: genprotimg/src/include/
# pv_hdr_def.h, genprotimg/src/pv/pv_hdr.c, pv_image.c, pv_comp.c,
# genprotimg/src/utils/crypto.c) and with Python "cryptography" (OpenSSL)
# only: P-521 ECDH, the SHA-256 key-slot KDF, AES-256-GCM key slots and
# header, AES-256-XTS pages and the SHA-512 PLD/ALD/TLD digests.  It then
# checks, through tests/core/se-hdr-dump.c, that the C core reads what
# Python wrote and that Python reads what the C builder wrote.
#
# Usage: se_crosscheck.py PATH/TO/se-hdr-dump      (TAP output)
#
# SPDX-License-Identifier: GPL-2.0-or-later

import hashlib
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

HELPER = sys.argv[1]
CURVE = ec.SECP521R1()
MAGIC = 0x49424D5365634578
PAGE = 4096
PCF_NO_DECRYPT = 1 << (63 - 35)
PCF_PCKMO = (1 << (63 - 56)) | (1 << (63 - 57)) | (1 << (63 - 58))


def check(cond, msg):
    """Fail the test with msg unless cond (kept under python -O)."""
    if not cond:
        raise AssertionError(msg)


# ---- the SE format (s390-tools genprotimg, v2.35.0) --------------------


def key_from(seed):
    """Deterministic P-521 key pair from a small seed."""
    d = int.from_bytes(hashlib.sha512(bytes([seed])).digest(), 'big')
    return ec.derive_private_key(d >> 8, CURVE)


def priv_hex(key):
    return key.private_numbers().private_value.to_bytes(66, 'big').hex()


def pub_xy(key):
    n = key.public_key().public_numbers()
    return n.x.to_bytes(66, 'big'), n.y.to_bytes(66, 'big')


def pad80(coord):
    return bytes(14) + coord


def phkh(host):
    x, y = pub_xy(host)
    return hashlib.sha256(pad80(x) + pad80(y)).digest()


def slot_key(priv, peer_pub):
    z = priv.exchange(ec.ECDH(), peer_pub)
    return hashlib.sha256(z + b'\x00\x00\x00\x01').digest()


def tweak(pref, off):
    return struct.pack('>QQ', pref, off)


def xts(key, pref, off, data, encrypt):
    c = Cipher(algorithms.AES(key), modes.XTS(tweak(pref, off)))
    op = c.encryptor() if encrypt else c.decryptor()
    return op.update(data) + op.finalize()


def digests(records):
    """PLD, ALD, TLD over (addr, pref, off, stored page) records."""
    pld, ald, tld = hashlib.sha512(), hashlib.sha512(), hashlib.sha512()
    for addr, pref, off, data in records:
        pld.update(data)
        ald.update(struct.pack('>Q', addr))
        tld.update(tweak(pref, off))
    return pld.digest(), ald.digest(), tld.digest()


def make_pages(seed, no_encrypt, xts_key):
    """Kernel (kind 0) and stage3b (kind 3) pages: plain and stored."""
    rnd = hashlib.sha256(bytes([seed])).digest()
    comps = [(0x11000, (0 << 48) | int.from_bytes(rnd[:6], 'big'), 3),
             (0x90000, (3 << 48) | int.from_bytes(rnd[6:12], 'big'), 2)]
    plain, stored = [], []
    for base, pref, n in comps:
        for i in range(n):
            off = i * PAGE
            data = hashlib.shake_256(bytes([seed, i, base >> 16]))
            data = data.digest(PAGE)
            enc = data if no_encrypt else xts(xts_key, pref, off, data, True)
            plain.append((base + off, pref, off, data))
            stored.append((base + off, pref, off, enc))
    return plain, stored


def build_header(cust, hosts, hdr_key, iv, secrets, pcf, stored):
    pld, ald, tld = digests(stored)
    cx, cy = pub_xy(cust)
    nks = len(hosts)
    phs = 0x1a0 + 80 * nks + 128 + 16
    head = struct.pack('>QII', MAGIC, 0x100, phs) + iv + bytes(4)
    head += struct.pack('>QQQQ', nks, 128, len(stored), pcf)
    head += pad80(cx) + pad80(cy) + pld + ald + tld
    for h in hosts:
        wrapped = AESGCM(slot_key(cust, h.public_key())).encrypt(
            bytes(12), hdr_key, None)
        head += phkh(h) + wrapped
    check(len(head) == 0x1a0 + 80 * nks, 'head size %#x' % len(head))
    enc = (secrets['cck'] + secrets['xts_key'] +
           struct.pack('>QQQII', secrets['psw_mask'], secrets['psw_addr'],
                       0, 0, 0))
    check(len(enc) == 128, 'encrypted area size %d' % len(enc))
    return head + AESGCM(hdr_key).encrypt(iv, enc, head)


def open_header(buf, host):
    """Parse and decrypt a header the C builder wrote, with Python only."""
    magic, version, phs = struct.unpack_from('>QII', buf, 0)
    iv = buf[0x10:0x1c]
    nks, sea, nep, pcf = struct.unpack_from('>QQQQ', buf, 0x20)
    check(magic == MAGIC and version == 0x100 and phs == len(buf),
          (hex(magic), hex(version), phs, len(buf)))
    check(sea == 128 and phs == 0x1a0 + 80 * nks + sea + 16,
          ('sea/phs', sea, phs, nks))
    check(buf[0x40:0x4e] == bytes(14) and buf[0x90:0x9e] == bytes(14),
          'customer key coordinates not zero-padded')
    cust = ec.EllipticCurvePublicNumbers(
        int.from_bytes(buf[0x4e:0x90], 'big'),
        int.from_bytes(buf[0x9e:0xe0], 'big'), CURVE).public_key()
    slots = [buf[0x1a0 + 80 * i:0x1a0 + 80 * (i + 1)] for i in range(nks)]
    slot = [s for s in slots if s[:32] == phkh(host)][0]
    hdr_key = AESGCM(slot_key(host, cust)).decrypt(bytes(12), slot[32:],
                                                   None)
    aad_len = phs - sea - 16
    enc = AESGCM(hdr_key).decrypt(iv, buf[aad_len:], buf[:aad_len])
    mask, addr, scf, noi, res = struct.unpack_from('>QQQII', enc, 96)
    return {'nep': nep, 'pcf': pcf, 'pld': buf[0xe0:0x120],
            'ald': buf[0x120:0x160], 'tld': buf[0x160:0x1a0],
            'hdr_key': hdr_key, 'cck': enc[:32], 'xts_key': enc[32:96],
            'psw_mask': mask, 'psw_addr': addr, 'scf': scf, 'noi': noi,
            'res': res, 'nks': nks}


# ---- talking to the C helper ------------------------------------------


def run(*args):
    p = subprocess.run([HELPER] + [str(a) for a in args],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    out = {}
    for line in p.stdout.splitlines():
        m = re.fullmatch(r'error rc=(\w+) rrc=(\w+) check=(.*)', line)
        if m:
            out['error_rc'], out['error_rrc'], out['error_check'] = m.groups()
        elif '=' in line:
            k, v = line.split('=', 1)
            out[k] = v
    return p.returncode, out, p.stderr


def write_records(path, records):
    with open(path, 'wb') as f:
        for addr, pref, off, data in records:
            f.write(struct.pack('>QQQ', addr, pref, off) + data)


def read_records(path):
    data = open(path, 'rb').read()
    rec = 24 + PAGE
    check(len(data) % rec == 0,
          '%s: %d bytes, not whole records' % (path, len(data)))
    out = []
    for i in range(0, len(data), rec):
        addr, pref, off = struct.unpack_from('>QQQ', data, i)
        out.append((addr, pref, off, data[i + 24:i + rec]))
    return out


def h(b):
    return b.hex()


def secrets(seed):
    r = hashlib.sha512(b'secrets' + bytes([seed])).digest()
    r += hashlib.sha512(b'more' + bytes([seed])).digest()
    return {'cck': r[:32], 'xts_key': r[32:96],
            'psw_mask': 0x0000000180000000, 'psw_addr': 0x90000,
            'hdr_key': r[96:128], 'iv': hashlib.sha256(r).digest()[:12]}


# ---- the checks ---------------------------------------------------------

TMP = tempfile.mkdtemp(prefix='se-crosscheck-')
HOSTS = [key_from(i) for i in range(1, 5)]
CUST = key_from(42)


def t_ecc_public():
    for seed in (7, 8, 9):
        k = key_from(seed)
        rc, out, _ = run('pub', priv_hex(k))
        x, y = pub_xy(k)
        check(rc == 0 and out['x'] == h(x) and out['y'] == h(y), out)
    rc, out, _ = run('pub', '00' * 66)
    check(rc == 2, ('zero private key accepted', rc, out))


def t_ecc_ecdh():
    a, b = key_from(10), key_from(11)
    bx, by = pub_xy(b)
    rc, out, _ = run('ecdh', priv_hex(a), h(bx), h(by))
    check(rc == 0, ('ecdh', rc, out))
    check(out['z'] == h(a.exchange(ec.ECDH(), b.public_key())),
          ('ECDH Z differs', out))
    rc, out, _ = run('ecdh', priv_hex(a), h(bx), h(by[:-1] + b'\x00'))
    check(rc == 2, ('point off the curve accepted', rc, out))


def python_image(name, hosts, pcf=PCF_PCKMO, seed=1):
    s = secrets(seed)
    plain, stored = make_pages(seed, bool(pcf & PCF_NO_DECRYPT),
                               s['xts_key'])
    hdr = build_header(CUST, hosts, s['hdr_key'], s['iv'], s, pcf, stored)
    path = os.path.join(TMP, name)
    open(path + '.hdr', 'wb').write(hdr)
    write_records(path + '.pages', stored)
    return path, s, plain, stored, hdr


def check_unwrap_fields(out, s, hdr, stored, nks, pcf):
    pld, ald, tld = digests(stored)
    cx, cy = pub_xy(CUST)
    want = {'version': '100', 'phs': '%x' % len(hdr), 'nks': '%x' % nks,
            'sea': '80', 'nep': '%x' % len(stored), 'pcf': '%x' % pcf,
            'iv': h(s['iv']), 'cust_x': h(cx), 'cust_y': h(cy),
            'pld': h(pld), 'ald': h(ald), 'tld': h(tld),
            'tag': h(hdr[-16:]), 'aad_len': '%x' % (len(hdr) - 144),
            'cck': h(s['cck']), 'xts_key': h(s['xts_key']),
            'psw_mask': '180000000', 'psw_addr': '90000', 'scf': '0',
            'noi': '0'}
    for k, v in want.items():
        check(out.get(k) == v, (k, out.get(k), v))


def t_py_header_one_slot():
    path, s, _, stored, hdr = python_image('one', HOSTS[:1])
    rc, out, err = run('unwrap', path + '.hdr', priv_hex(HOSTS[0]))
    check(rc == 0, (out, err))
    check_unwrap_fields(out, s, hdr, stored, 1, PCF_PCKMO)
    check(out['slot0_phkh'] == h(phkh(HOSTS[0])), out)
    check(out['used'] == 'primary' and out['slot'] == '0', out)
    check(len(hdr) == 0x280, 'header size %#x' % len(hdr))


def t_py_header_three_slots():
    path, s, _, stored, hdr = python_image('three', HOSTS[:3], seed=2)
    for i in range(3):
        rc, out, err = run('unwrap', path + '.hdr', priv_hex(HOSTS[i]))
        check(rc == 0, (out, err))
        check_unwrap_fields(out, s, hdr, stored, 3, PCF_PCKMO)
        check(out['slot'] == str(i) and out['used'] == 'primary', (i, out))
    rc, out, _ = run('unwrap', path + '.hdr', priv_hex(HOSTS[3]))
    check(rc == 2 and out['error_rc'] == '0108', out)
    check(out['error_rrc'] == '0005', out)


def t_py_header_backup():
    path, s, _, stored, hdr = python_image('backup', HOSTS[1:2], seed=3)
    rc, out, err = run('unwrap', path + '.hdr', priv_hex(HOSTS[0]),
                       priv_hex(HOSTS[1]))
    check(rc == 0, (out, err))
    check(out['used'] == 'backup' and out['slot'] == '0', out)
    check_unwrap_fields(out, s, hdr, stored, 1, PCF_PCKMO)


def t_py_header_tampered():
    path, _, _, _, hdr = python_image('tamper', HOSTS[:1], seed=4)
    for off, rc_want, what in ((0xe5, '010a', 'header GCM'),
                               (len(hdr) - 1, '010a', 'header GCM'),
                               (0x1a0 + 40, '0108', 'key slot GCM')):
        bad = bytearray(hdr)
        bad[off] ^= 1
        open(path + '.bad', 'wb').write(bad)
        rc, out, _ = run('unwrap', path + '.bad', priv_hex(HOSTS[0]))
        check(rc == 2 and out['error_rc'] == rc_want, (off, out))
        check(what in out['error_check'], (off, out))


def t_py_pages_unpack(pcf=PCF_PCKMO, name='pages'):
    path, s, plain, _, _ = python_image(name, HOSTS[:1], pcf=pcf, seed=5)
    rc, out, err = run('unpack', path + '.hdr', priv_hex(HOSTS[0]),
                       path + '.pages', path + '.out')
    check(rc == 0, (out, err))
    check(out['verify_rc'] == '0001' and out['verify_rrc'] == '0000', out)
    check(int(out['pages'], 16) == len(plain), (out['pages'], len(plain)))
    check(read_records(path + '.out') == plain,
          'unpacked pages differ from the plaintext')


def t_py_pages_no_decrypt():
    t_py_pages_unpack(pcf=PCF_PCKMO | PCF_NO_DECRYPT, name='nodec')


def c_build(name, hosts, pcf, seed):
    s = secrets(seed)
    plain, _ = make_pages(seed, True, None)
    path = os.path.join(TMP, name)
    write_records(path + '.in', plain)
    args = ['build', path + '.hdr', path + '.in', path + '.enc',
            'iv=' + h(s['iv']), 'hdr_key=' + h(s['hdr_key']),
            'cust_priv=' + priv_hex(CUST), 'cck=' + h(s['cck']),
            'xts_key=' + h(s['xts_key']),
            'psw_mask=%016x' % s['psw_mask'],
            'psw_addr=%016x' % s['psw_addr'], 'pcf=%016x' % pcf]
    for k in hosts:
        x, y = pub_xy(k)
        args.append('host=%s:%s' % (h(x), h(y)))
    rc, out, err = run(*args)
    check(rc == 0, (out, err))
    return open(path + '.hdr', 'rb').read(), read_records(path + '.enc'), \
        plain, s


def t_c_build_python_opens(pcf=PCF_PCKMO, name='cbuild'):
    hdr, enc, plain, s = c_build(name, HOSTS[:2], pcf, 6)
    for host in HOSTS[:2]:
        got = open_header(hdr, host)
        check(got['hdr_key'] == s['hdr_key'], 'header key differs')
        for k in ('cck', 'xts_key', 'psw_mask', 'psw_addr'):
            check(got[k] == s[k], k)
        check(got['scf'] == 0 and got['noi'] == 0 and got['res'] == 0,
              (got['scf'], got['noi'], got['res']))
        check(got['pcf'] == pcf and got['nks'] == 2,
              (hex(got['pcf']), got['nks']))
    pld, ald, tld = digests(enc)
    check((got['pld'], got['ald'], got['tld']) == (pld, ald, tld),
          'PLD/ALD/TLD differ')
    check(got['nep'] == len(plain), (got['nep'], len(plain)))
    for (a, p, o, data), (a2, p2, o2, clear) in zip(enc, plain):
        check((a, p, o) == (a2, p2, o2), ((a, p, o), (a2, p2, o2)))
        if pcf & PCF_NO_DECRYPT:
            check(data == clear, 'page %#x stored encrypted' % a)
        else:
            check(data != clear, 'page %#x stored in clear' % a)
            check(xts(s['xts_key'], p, o, data, False) == clear,
                  'page %#x does not decrypt' % a)


def t_c_build_no_encrypt():
    t_c_build_python_opens(PCF_PCKMO | PCF_NO_DECRYPT, 'cbuild-nodec')


def t_c_build_deterministic():
    a = c_build('det-a', HOSTS[:1], PCF_PCKMO, 7)
    b = c_build('det-b', HOSTS[:1], PCF_PCKMO, 7)
    check(a[0] == b[0] and a[1] == b[1],
          'two builds with the same inputs differ')


TESTS = [
    ('P-521 public keys match OpenSSL', t_ecc_public),
    ('P-521 ECDH matches OpenSSL', t_ecc_ecdh),
    ('Python header, 1 slot, read by C', t_py_header_one_slot),
    ('Python header, 3 slots, read by C', t_py_header_three_slots),
    ('Python header, backup host key, read by C', t_py_header_backup),
    ('Python header tampered, rejected by C', t_py_header_tampered),
    ('Python pages unpacked and verified by C', t_py_pages_unpack),
    ('Python no-decrypt pages verified by C', t_py_pages_no_decrypt),
    ('C header and pages opened by Python', t_c_build_python_opens),
    ('C no-encrypt image opened by Python', t_c_build_no_encrypt),
    ('C builder is deterministic', t_c_build_deterministic),
]


def main():
    print('1..%d' % len(TESTS))
    failed = 0
    for i, (name, fn) in enumerate(TESTS, 1):
        try:
            fn()
            print('ok %d - %s' % (i, name))
        except (AssertionError, InvalidTag, KeyError, IndexError,
                ValueError) as e:
            failed += 1
            print('not ok %d - %s' % (i, name))
            print('# %r' % (e,))
    shutil.rmtree(TMP, ignore_errors=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
