#!/usr/bin/python3
# Tests of the SE image builder tools/mk-se-image (TAP output).
#
# Every image is checked by an independent reader written here from
# s390-tools (genprotimg/src/include/pv_hdr_def.h, genprotimg/src/pv/ at
# v2.35.0, rust/pvimg) and tools/mk-se-image/boot/stage3-args.h, with
# Python "cryptography" (OpenSSL) only: the short PSW, the stage3a args
# block, the PV IPIB, the SE header (key slot unwrapped with the host
# private key: P-521 ECDH, SHA-256(Z || 00000001), AES-256-GCM), every
# component page (AES-256-XTS), the stage3b args and PLD/ALD/TLD/nep.  One
# image is also read back with the C core through tests/core/se-hdr-dump
# (header unwrap, unpack and verify).
#
# Usage: test_mk_se_image.py PATH/TO/mk-se-image PATH/TO/se-hdr-dump
#
# SPDX-License-Identifier: GPL-2.0-or-later

import glob
import hashlib
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import traceback

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

TOOL = os.path.abspath(sys.argv[1])
DUMP = os.path.abspath(sys.argv[2])
HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, '..', '..'))
HEADER = os.path.join(TOP, 'tools', 'mk-se-image', 'boot', 'stage3-args.h')
# The loaders the tool embeds are built next to it (tools/meson.build).
STAGE3A = os.path.join(os.path.dirname(TOOL), 'stage3a.bin')
STAGE3B = os.path.join(os.path.dirname(TOOL), 'stage3b.bin')
DATA = os.path.join(HERE, 'data')
VMLINUZ = os.path.join(
    os.environ.get('QEMU_IBM_CC_CACHE') or os.path.join(
        os.environ.get('XDG_CACHE_HOME') or os.path.expanduser('~/.cache'),
        'qemu-ibm-cc'), 'fixtures', 's390x', 'vmlinuz')

PAGE = 4096
CURVE = ec.SECP521R1()
MAGIC = 0x49424D5365634578
PCF_DUMP = 1 << (63 - 34)
PCF_DEFAULT = (1 << (63 - 56)) | (1 << (63 - 57)) | (1 << (63 - 58))
PSW_EA_BA = 0x0000000180000000

# (kind values, IPIB order) per --x-layout: s390-tools
# genprotimg/src/pv/pv_comp.h, rust/pvimg/src/se_img_comps.rs
LAYOUTS = {
    'genprotimg': ({'kernel': 0, 'cmdline': 1, 'initrd': 2, 'stage3b': 3},
                   ['kernel', 'cmdline', 'initrd', 'stage3b']),
    'pvimg': ({'kernel': 40, 'initrd': 50, 'cmdline': 60, 'stage3b': 70},
              ['kernel', 'initrd', 'cmdline', 'stage3b']),
}

sys.path.insert(0, os.path.join(TOP, 'tests', 'se-boot'))
from stage3_args import C, CONSTS, load_consts  # noqa: E402,F401


def rd(path):
    with open(path, 'rb') as f:
        return f.read()


def wr(path, data):
    with open(path, 'wb') as f:
        f.write(data)
    return path


def be64(buf, off):
    return struct.unpack_from('>Q', buf, off)[0]


def be32(buf, off):
    return struct.unpack_from('>I', buf, off)[0]


def pages(n):
    return max(1, (n + PAGE - 1) // PAGE)


def pad80(v):
    return v.to_bytes(80, 'big')


def phkh(pub):
    n = pub.public_numbers()
    return hashlib.sha256(pad80(n.x) + pad80(n.y)).digest()


def xts_decrypt(key, pref, off, data):
    d = Cipher(algorithms.AES(key),
               modes.XTS(struct.pack('>QQ', pref, off))).decryptor()
    return d.update(data) + d.finalize()


# ---- the independent image reader ---------------------------------------

def check(cond, msg):
    """Fail the test with msg unless cond (kept under python -O)."""
    if not cond:
        raise AssertionError(msg)


def check_zero(img, start, end, what):
    check(not any(img[start:end]),
          '%s [%#x, %#x) not zero' % (what, start, end))


def read_image(path, host_keys, layout):
    """Parse, decrypt and check an image; returns what it found.

    host_keys: list of cryptography private keys, one per -k, in order.
    Checks everything that can be checked without knowing the inputs.
    """
    img = rd(path)
    s3a, s3b = rd(STAGE3A), rd(STAGE3B)
    kinds, order = LAYOUTS[layout]
    r = {'img': img}
    check(len(img) % PAGE == 0, 'image length not whole pages')

    # Short PSW at 0 -> stage3a entry; nothing else below stage3a
    mask, addr = struct.unpack_from('>II', img, 0)
    check(mask == C('STAGE3_SHORT_PSW_MASK'), hex(mask))
    check(addr == C('STAGE3_SHORT_PSW_BA') | C('STAGE3A_ENTRY_ADDR'),
          hex(addr))
    check_zero(img, 8, C('STAGE3A_LOAD_ADDR'), 'low memory')

    # stage3a, unchanged but for its args block
    base = C('STAGE3A_LOAD_ADDR')
    asz = C('STAGE3_ARGS_SIZE')
    check(img[base:base + len(s3a) - asz] == s3a[:-asz], 'stage3a differs')
    args = img[base + len(s3a) - asz:base + len(s3a)]
    check(be64(args, 0) == C('STAGE3A_ARGS_MAGIC'), 'stage3a args magic')
    hdr_addr = be64(args, C('STAGE3A_ARGS_HDR_ADDR_OFF'))
    hdr_len = be64(args, C('STAGE3A_ARGS_HDR_SIZE_OFF'))
    ipib_addr = be64(args, C('STAGE3A_ARGS_IPIB_ADDR_OFF'))
    check_zero(args, C('STAGE3A_ARGS_USED_SIZE'), asz, 'stage3a args')
    check(ipib_addr % PAGE == 0 and ipib_addr >= base + len(s3a),
          hex(ipib_addr))
    check_zero(img, base + len(s3a), ipib_addr, 'gap after stage3a')
    r.update(hdr_addr=hdr_addr, hdr_len=hdr_len, ipib_addr=ipib_addr)

    # PV IPIB (big-endian; s390-tools include/boot/ipl.h) with the values
    # s390-tools rust/pvimg/src/se_img_comps/bootloader.rs create_ipib sets
    ipib = img[ipib_addr:ipib_addr + PAGE]
    ilen = be32(ipib, 0)
    n = be32(ipib, 0x74)
    check(ilen == 0x88 + 24 * n and ilen >= 148, (ilen, n))
    check(ipib[4] == 0 and ipib[5:7] == bytes(2), 'IPIB flags, reserved')
    check(ipib[7] == 1, 'IPIB hdr version %d' % ipib[7])
    check(be32(ipib, 8) == ilen - 8, 'pb0 length %#x' % be32(ipib, 8))
    check(ipib[0x0c] == 5, 'pbt %d, not PV' % ipib[0x0c])
    check_zero(ipib, 0x0d, 0x6f, 'IPIB reserved/loadparm')
    check(ipib[0x6f] == 1, 'PV version %d' % ipib[0x6f])
    check_zero(ipib, 0x70, 0x74, 'IPIB reserved4')
    check(be64(ipib, 0x78) == hdr_addr and be64(ipib, 0x80) == hdr_len,
          'IPIB header address/length')
    check_zero(ipib, ilen, PAGE, 'IPIB page tail')
    check(hdr_addr == ipib_addr + PAGE, 'SE header not right after the IPIB')
    comps = []
    for i in range(n):
        pref, caddr, clen = struct.unpack_from('>QQQ', ipib, 0x88 + 24 * i)
        comps.append((pref, caddr, clen))
    names = [c for c in order
             if any(p >> 48 == kinds[c] for p, _, _ in comps)]
    check(len(names) == n, 'unknown component kinds')
    check(names[0] == 'kernel' and names[-1] == 'stage3b', names)
    prev_pref, prev_end = -1, hdr_addr + hdr_len
    r['comps'] = {}
    for name, (pref, caddr, clen) in zip(names, comps):
        check(pref >> 48 == kinds[name], (name, hex(pref)))
        check(pref > prev_pref, 'tweak prefixes not strictly increasing')
        check(caddr % PAGE == 0 and clen % PAGE == 0 and clen >= PAGE,
              '%s not whole pages' % name)
        check(caddr >= prev_end, '%s overlaps what precedes it' % name)
        check(caddr >= C('STAGE3_MIN_COMP_ADDR'),
              '%s below STAGE3_MIN_COMP_ADDR' % name)
        check_zero(img, prev_end, caddr, 'gap before ' + name)
        prev_pref, prev_end = pref, caddr + clen
        r['comps'][name] = {'pref': pref, 'addr': caddr, 'len': clen}
    check(prev_end == len(img), 'data after the last component')
    r['order'] = names

    # SE header (s390-tools genprotimg/src/include/pv_hdr_def.h)
    hdr = img[hdr_addr:hdr_addr + hdr_len]
    magic, version, phs = struct.unpack_from('>QII', hdr, 0)
    nks, sea, nep, pcf = struct.unpack_from('>QQQQ', hdr, 0x20)
    check(magic == MAGIC and version == 0x100 and phs == hdr_len,
          (hex(magic), hex(version), phs, hdr_len))
    check(hdr[0x1c:0x20] == bytes(4), 'SE header reserved bytes')
    check(sea == 128 and phs == 0x1a0 + 80 * nks + sea + 16, (sea, phs, nks))
    check(nks == len(host_keys), nks)
    check(hdr[0x40:0x4e] == bytes(14) and hdr[0x90:0x9e] == bytes(14),
          'customer key coordinates not zero-padded')
    cust = ec.EllipticCurvePublicNumbers(
        int.from_bytes(hdr[0x4e:0x90], 'big'),
        int.from_bytes(hdr[0x9e:0xe0], 'big'), CURVE).public_key()
    iv = hdr[0x10:0x1c]
    aad = phs - sea - 16
    secrets = None
    for i, host in enumerate(host_keys):
        slot = hdr[0x1a0 + 80 * i:0x1a0 + 80 * (i + 1)]
        check(slot[:32] == phkh(host.public_key()), 'slot %d phkh' % i)
        z = host.exchange(ec.ECDH(), cust)
        kek = hashlib.sha256(z + b'\x00\x00\x00\x01').digest()
        hdr_key = AESGCM(kek).decrypt(bytes(12), slot[32:], None)
        enc = AESGCM(hdr_key).decrypt(iv, hdr[aad:], hdr[:aad])
        if secrets is None:
            secrets = (hdr_key, enc)
        check((hdr_key, enc) == secrets, 'slots disagree')
    hdr_key, enc = secrets
    cck, xts_key = enc[:32], enc[32:96]
    psw_mask, psw_addr, scf, noi, res = struct.unpack_from('>QQQII', enc, 96)
    check(psw_mask == PSW_EA_BA and psw_addr == r['comps']['stage3b']['addr'],
          (hex(psw_mask), hex(psw_addr)))
    check(noi == 0 and res == 0, (noi, res))
    r.update(nks=nks, nep=nep, pcf=pcf, scf=scf, iv=iv, hdr_key=hdr_key, cck=cck,
             xts_key=xts_key, cust=cust.public_numbers(), hdr=hdr)

    # Decrypt the components; recompute the digests
    pld, ald, tld = hashlib.sha512(), hashlib.sha512(), hashlib.sha512()
    count = 0
    for name in names:
        c = r['comps'][name]
        plain = bytearray()
        for i in range(c['len'] // PAGE):
            a = c['addr'] + i * PAGE
            stored = img[a:a + PAGE]
            plain += xts_decrypt(xts_key, c['pref'], i * PAGE, stored)
            pld.update(stored)
            ald.update(struct.pack('>Q', a))
            tld.update(struct.pack('>QQ', c['pref'], i * PAGE))
            count += 1
        c['plain'] = bytes(plain)
    check(nep == count, (nep, count))
    check(hdr[0xe0:0x120] == pld.digest(), 'PLD')
    check(hdr[0x120:0x160] == ald.digest(), 'ALD')
    check(hdr[0x160:0x1a0] == tld.digest(), 'TLD')

    # stage3b: the loader with its args filled in (stage3-args.h)
    sb = r['comps']['stage3b']
    check(len(s3b) <= C('STAGE3B_MAX_SIZE') and sb['len'] ==
          pages(len(s3b)) * PAGE, (len(s3b), sb['len']))
    p = sb['plain']
    check(p[:len(s3b) - asz] == s3b[:-asz], 'stage3b code differs')
    check_zero(p, len(s3b), len(p), 'stage3b padding')
    a = p[len(s3b) - asz:len(s3b)]
    check(be64(a, 0) == C('STAGE3B_ARGS_MAGIC'), 'stage3b args magic')
    check_zero(a, C('STAGE3B_ARGS_USED_SIZE'), asz, 'stage3b args')
    s3args = {}
    for f in ('KERNEL_ADDR', 'KERNEL_SIZE', 'CMDLINE_ADDR', 'CMDLINE_SIZE',
              'INITRD_ADDR', 'INITRD_SIZE', 'PSW_MASK', 'PSW_ADDR'):
        s3args[f.lower()] = be64(a, C('STAGE3B_ARGS_%s_OFF' % f))
    check(s3args['psw_mask'] == C('STAGE3B_KERNEL_PSW_MASK'),
          hex(s3args['psw_mask']))
    check(s3args['psw_addr'] == C('STAGE3B_KERNEL_PSW_ADDR'),
          hex(s3args['psw_addr']))
    r['s3args'] = s3args

    # Each component's content: its size from stage3b's args, zero padding
    for name in names:
        c = r['comps'][name]
        if name == 'stage3b':
            continue
        caddr, csize = s3args[name + '_addr'], s3args[name + '_size']
        check(caddr == c['addr'], name)
        check(pages(csize) * PAGE == c['len'], name)
        check_zero(c['plain'], csize, c['len'], name + ' padding')
        c['data'] = c['plain'][:csize]
    for name in ('cmdline', 'initrd'):
        if name not in names:
            check(s3args[name + '_addr'] == 0,
                  '%s_addr set without %s' % (name, name))
            check(s3args[name + '_size'] == 0,
                  '%s_size set without %s' % (name, name))
        else:
            # placement rule: above the kernel's final image
            check(r['comps'][name]['addr'] >= s3args['kernel_size'],
                  '%s overlaps the kernel' % name)
    return r


def check_inputs(r, kernel, cmdline=None, initrd=None):
    """The decrypted components are the inputs."""
    check(r['comps']['kernel']['data'] == kernel, 'kernel content')
    if cmdline is None:
        check('cmdline' not in r['comps'], 'unexpected cmdline component')
    else:
        check(r['comps']['cmdline']['data'] == cmdline + b'\0',
              r['comps']['cmdline']['data'][:80])
    if initrd is None:
        check('initrd' not in r['comps'], 'unexpected initrd component')
    else:
        check(r['comps']['initrd']['data'] == initrd, 'initrd content')


# ---- fixtures -------------------------------------------------------------

TMP = tempfile.mkdtemp(prefix='mk-se-image-test-')


def host_key(name):
    subprocess.run(['bash', os.path.join(TOP, 'scripts',
                                         'mk-test-host-key.sh'), TMP, name],
                   check=True, stdout=subprocess.DEVNULL)
    key = serialization.load_pem_private_key(
        rd(os.path.join(TMP, name + '.key')), None)
    return os.path.join(TMP, name + '.crt'), key


def fake_kernel(size, max_cmdline=4096):
    """Enough of an s390x Linux image for stage3b's checks."""
    k = bytearray(hashlib.shake_256(b'kernel%d' % size).digest(size))
    k[C('LINUX_EP_MAGIC_ADDR'):C('LINUX_EP_MAGIC_ADDR') + 6] = b'S390EP'
    struct.pack_into('>Q', k, C('LINUX_PARM_MAX_CMDLINE_SIZE'), max_cmdline)
    return bytes(k)


def priv_hex(key):
    return key.private_numbers().private_value.to_bytes(66, 'big').hex()


load_consts()
HOST1_CRT, HOST1 = host_key('host1')
HOST2_CRT, HOST2 = host_key('host2')
KERNEL = fake_kernel(0x11000 + 5000)
KERNEL_F = wr(os.path.join(TMP, 'kernel'), KERNEL)
INITRD = hashlib.shake_256(b'initrd').digest(9000)
INITRD_F = wr(os.path.join(TMP, 'initrd'), INITRD)
CMDLINE = b'console=ttysclp0 root=/dev/ram0 quiet'
PARM_F = wr(os.path.join(TMP, 'parm'), CMDLINE + b'\n\n')
HDR_KEY = hashlib.sha256(b'hdr key').digest()
IMAGE_KEY = hashlib.sha512(b'image key').digest()
CCK = hashlib.sha256(b'cck').digest()
HDR_KEY_F = wr(os.path.join(TMP, 'hdr.key'), HDR_KEY)
IMAGE_KEY_F = wr(os.path.join(TMP, 'image.key'), IMAGE_KEY)
CCK_F = wr(os.path.join(TMP, 'cck'), CCK)
CUST = ec.derive_private_key(
    int.from_bytes(hashlib.sha512(b'customer').digest(), 'big') >> 16, CURVE)
CUST_F = wr(os.path.join(TMP, 'cust.pem'), CUST.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
    serialization.NoEncryption()))
IV = bytes.fromhex('00112233445566778899aabb')
SEED = 'c0ffee'


def run(*args):
    return subprocess.run([TOOL] + [str(a) for a in args],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)


def fixed_args():
    return ['--hdr-key', HDR_KEY_F, '--image-key', IMAGE_KEY_F,
            '--comm-key', CCK_F, '--x-cust-key', CUST_F, '--x-iv', IV.hex(),
            '--x-tweak-seed', SEED]


def build(out, *extra, hosts=(HOST1_CRT,), kernel=KERNEL_F, initrd=INITRD_F,
          parm=PARM_F, fixed=True):
    args = []
    for h in hosts:
        args += ['-k', h]
    args += ['-i', kernel, '-o', out, '--no-verify']
    if initrd:
        args += ['-r', initrd]
    if parm:
        args += ['-p', parm]
    if fixed:
        args += fixed_args()
    p = run(*args, *extra)
    check(p.returncode == 0, (p.returncode, p.stderr))
    check(p.stderr == '', p.stderr)
    check(not glob.glob(out + '.tmp-*'), 'temporary file left behind')
    return out


def check_fixed(r, layout='genprotimg', pcf=PCF_DEFAULT, scf=0):
    """What the fixed --hdr-key/--image-key/... options promise."""
    check(r['hdr_key'] == HDR_KEY and r['xts_key'] == IMAGE_KEY,
          'header or image key')
    check(r['cck'] == CCK and r['iv'] == IV and r['pcf'] == pcf, hex(r['pcf']))
    check(r['scf'] == scf, hex(r['scf']))
    want = CUST.public_key().public_numbers()
    check((r['cust'].x, r['cust'].y) == (want.x, want.y), 'customer key')
    kinds = LAYOUTS[layout][0]
    for name, c in r['comps'].items():
        rand = hashlib.sha256(bytes.fromhex(SEED) +
                              kinds[name].to_bytes(2, 'big')).digest()[:6]
        check(c['pref'] == kinds[name] << 48 | int.from_bytes(rand, 'big'),
              (name, hex(c['pref'])))


def out_path(name):
    return os.path.join(TMP, name)


# ---- the tests --------------------------------------------------------------

def t_genprotimg_layout():
    path = build(out_path('g.img'), hosts=(HOST1_CRT, HOST2_CRT))
    r = read_image(path, [HOST1, HOST2], 'genprotimg')
    check_fixed(r)
    check_inputs(r, KERNEL, CMDLINE, INITRD)
    check(r['order'] == ['kernel', 'cmdline', 'initrd', 'stage3b'], r['order'])
    check(r['nks'] == 2, r['nks'])
    # the layout of stage3-args.h: IPIB right after stage3a, then the header
    check(r['ipib_addr'] == (0x10000 + len(rd(STAGE3A)) + PAGE - 1) & ~0xfff,
          hex(r['ipib_addr']))
    check(r['comps']['kernel']['addr'] ==
          r['hdr_addr'] + ((r['hdr_len'] + PAGE - 1) & ~0xfff),
          hex(r['comps']['kernel']['addr']))


def t_pvimg_layout():
    path = build(out_path('p.img'), '--x-layout=pvimg')
    r = read_image(path, [HOST1], 'pvimg')
    check_fixed(r, 'pvimg')
    check_inputs(r, KERNEL, CMDLINE, INITRD)
    check(r['order'] == ['kernel', 'initrd', 'cmdline', 'stage3b'], r['order'])
    # pvimg layout also accepted as a separate argument
    path2 = build(out_path('p2.img'), '--x-layout', 'pvimg')
    check(rd(path) == rd(path2),
          '--x-layout pvimg and --x-layout=pvimg differ')


def t_deterministic():
    a = build(out_path('d1.img'), hosts=(HOST1_CRT, HOST2_CRT))
    b = build(out_path('d2.img'), hosts=(HOST1_CRT, HOST2_CRT))
    check(rd(a) == rd(b), 'two runs with fixed inputs differ')
    check(rd(a) == rd(out_path('g.img')), 'image differs from g.img')
    # and each fixed input matters
    for opt, val in (('--x-tweak-seed', 'c0ffef'),
                     ('--x-iv', '00112233445566778899aabc')):
        args = fixed_args()
        args[args.index(opt) + 1] = val
        p = run('-k', HOST1_CRT, '-k', HOST2_CRT, '-i', KERNEL_F,
                '-r', INITRD_F, '-p', PARM_F, '--no-verify',
                '-o', out_path('d3.img'), *args)
        check(p.returncode == 0, p.stderr)
        check(rd(out_path('d3.img')) != rd(a), opt)


def t_random_defaults():
    a = build(out_path('r1.img'), fixed=False)
    b = build(out_path('r2.img'), fixed=False)
    ra = read_image(a, [HOST1], 'genprotimg')
    rb = read_image(b, [HOST1], 'genprotimg')
    check_inputs(ra, KERNEL, CMDLINE, INITRD)
    check_inputs(rb, KERNEL, CMDLINE, INITRD)
    for k in ('hdr_key', 'xts_key', 'cck', 'iv'):
        check(ra[k] != rb[k], k)
    check(ra['cust'].x != rb['cust'].x, 'same customer key twice')
    for name in ra['comps']:
        check(ra['comps'][name]['pref'] != rb['comps'][name]['pref'],
              'same tweak prefix twice: ' + name)
    check(ra['pcf'] == PCF_DEFAULT, hex(ra['pcf']))


def t_dump_flag():
    r = read_image(build(out_path('dump.img'), '--enable-dump'), [HOST1],
                   'genprotimg')
    check_fixed(r, pcf=PCF_DEFAULT | PCF_DUMP)
    r = read_image(build(out_path('nodump.img'), '--disable-dump'), [HOST1],
                   'genprotimg')
    check_fixed(r, pcf=PCF_DEFAULT)
    check(rd(out_path('nodump.img')) == rd(build(out_path('def.img'))),
          '--disable-dump differs from the default')


def t_cck_flags():
    """pvimg's --enable-cck-extension-secret/--enable-cck-update: SCF bits
    1 and 2 (MSB0) in the encrypted part of the header."""
    r = read_image(build(out_path('cck.img'), '--enable-cck-extension-secret'),
                   [HOST1], 'genprotimg')
    check_fixed(r, scf=1 << 62)
    r = read_image(build(out_path('cck2.img'), '--enable-cck-update',
                         '--enable-cck-extension-secret'), [HOST1],
                   'genprotimg')
    check_fixed(r, scf=1 << 62 | 1 << 61)


def t_optional_components():
    # no ramdisk, no parmfile: kernel and stage3b only
    r = read_image(build(out_path('min.img'), initrd=None, parm=None),
                   [HOST1], 'genprotimg')
    check_inputs(r, KERNEL)
    check(r['order'] == ['kernel', 'stage3b'], r['order'])
    check(r['s3args']['cmdline_size'] == 0 and r['s3args']['initrd_size'] == 0,
          r['s3args'])
    # empty files: each still takes one page
    empty = wr(out_path('empty'), b'')
    r = read_image(build(out_path('empty.img'), '--x-layout=pvimg',
                         initrd=empty, parm=empty), [HOST1], 'pvimg')
    check_inputs(r, KERNEL, b'', b'')
    check(r['comps']['initrd']['len'] == PAGE, r['comps']['initrd']['len'])
    check(r['comps']['cmdline']['len'] == PAGE, r['comps']['cmdline']['len'])
    check(r['s3args']['cmdline_size'] == 1, r['s3args']['cmdline_size'])
    # a kernel of whole pages; a parmfile with only trailing CR/LF stripped
    k = fake_kernel(0x20000)
    parm = wr(out_path('parm2'), b'  a=1\tb=2  \r\n')
    r = read_image(build(out_path('k2.img'), kernel=wr(out_path('k2'), k),
                         parm=parm), [HOST1], 'genprotimg')
    check_inputs(r, k, b'  a=1\tb=2  ', INITRD)
    check(r['comps']['kernel']['len'] == 0x20000,
          hex(r['comps']['kernel']['len']))


def t_core_crosscheck():
    """The C core (se-hdr-dump) reads an image this tool wrote."""
    path = out_path('g.img')
    r = read_image(path, [HOST1, HOST2], 'genprotimg')
    hdrf = wr(out_path('g.hdr'), r['hdr'])
    for i, host in enumerate((HOST1, HOST2)):
        p = subprocess.run([DUMP, 'unwrap', hdrf, priv_hex(host)],
                           stdout=subprocess.PIPE, text=True)
        check(p.returncode == 0, p.stdout)
        out = dict(line.split('=', 1) for line in p.stdout.splitlines())
        check(out['slot'] == str(i) and out['used'] == 'primary', (i, out))
        check(out['cck'] == CCK.hex() and out['xts_key'] == IMAGE_KEY.hex(),
              'keys read by the C core')
        check(int(out['psw_addr'], 16) == r['comps']['stage3b']['addr'],
              out['psw_addr'])
        check(int(out['psw_mask'], 16) == PSW_EA_BA, out['psw_mask'])
        check(int(out['nep'], 16) == r['nep'], (out['nep'], r['nep']))
        check(int(out['pcf'], 16) == PCF_DEFAULT, out['pcf'])
    core_unpack(r, HOST1)


def core_unpack(r, host):
    """Unpack every page with the C core; it must verify."""
    recs = bytearray()
    img = r['img']
    for name in r['order']:
        c = r['comps'][name]
        for i in range(c['len'] // PAGE):
            a = c['addr'] + i * PAGE
            recs += struct.pack('>QQQ', a, c['pref'], i * PAGE)
            recs += img[a:a + PAGE]
    inf = wr(out_path('recs.in'), recs)
    outf = out_path('recs.out')
    hdrf = wr(out_path('core.hdr'), r['hdr'])
    p = subprocess.run([DUMP, 'unpack', hdrf, priv_hex(host), inf, outf],
                       stdout=subprocess.PIPE, text=True)
    check(p.returncode == 0, p.stdout)
    out = dict(line.split('=', 1) for line in p.stdout.splitlines())
    check(out['verify_rc'] == '0001', out)
    check(int(out['pages'], 16) == r['nep'], (out['pages'], r['nep']))
    got = rd(outf)
    k = 0
    for name in r['order']:
        plain = r['comps'][name]['plain']
        for i in range(len(plain) // PAGE):
            check(got[k + 24:k + 24 + PAGE] == plain[i * PAGE:(i + 1) * PAGE],
                  '%s page %d differs' % (name, i))
            k += 24 + PAGE


def expect_error(name, args, words, out=None):
    """The tool fails with exit 1, names the problem, writes nothing."""
    out = out or out_path(name + '.img')
    p = run(*args, '-o', out)
    check(p.returncode == 1, (name, p.returncode, p.stderr))
    check(p.stdout == '', p.stdout)
    for w in words:
        check(w in p.stderr, (name, w, p.stderr))
    check(p.stderr.startswith('mk-se-image: '), p.stderr)
    check(not os.path.exists(out), name + ': output written')
    check(not glob.glob(out + '.tmp-*'), name + ': temporary file left')


def t_errors():
    ok = ['-k', HOST1_CRT, '-i', KERNEL_F, '--no-verify']
    expect_error('noverify', ['-k', HOST1_CRT, '-i', KERNEL_F],
                 ['--no-verify', 'not implemented', 'IBM Z signing'])
    p256 = os.path.join(DATA, 'p256-cert.pem')
    expect_error('p256', ['-k', HOST1_CRT, '-k', p256, '-i', KERNEL_F,
                          '--no-verify'],
                 [p256, 'prime256v1', 'secp521r1'])
    rsa = os.path.join(DATA, 'rsa2048-cert.pem')
    expect_error('rsa', ['-k', rsa, '-i', KERNEL_F, '--no-verify'],
                 [rsa, 'secp521r1'])
    expect_error('privkey-as-hkd', ['-k', os.path.join(TMP, 'host1.key'),
                                    '-i', KERNEL_F, '--no-verify'],
                 ['host1.key', 'certificate'])
    missing = out_path('no-such-kernel')
    expect_error('nokernel', ['-k', HOST1_CRT, '-i', missing, '--no-verify'],
                 [missing, '-i/--image', 'No such file'])
    expect_error('noinitrd', ok + ['-r', missing], [missing, '--ramdisk'])
    expect_error('hdrkey', ok + ['--hdr-key', IMAGE_KEY_F],
                 [IMAGE_KEY_F, '--hdr-key', 'exactly 32 bytes', 'has 64'])
    expect_error('imagekey', ok + ['--image-key', HDR_KEY_F],
                 [HDR_KEY_F, '--image-key', 'exactly 64 bytes'])
    expect_error('commkey', ok + ['--comm-key', IMAGE_KEY_F],
                 ['--comm-key', 'exactly 32 bytes'])
    expect_error('iv', ok + ['--x-iv', '0011'], ['--x-iv', '24 hex digits'])
    expect_error('iv-hex', ok + ['--x-iv', 'zz' * 12], ['--x-iv', 'hex'])
    expect_error('seed', ok + ['--x-tweak-seed', 'abc'], ['--x-tweak-seed'])
    expect_error('layout', ok + ['--x-layout=zipl'], ['--x-layout', 'zipl'])
    expect_error('custkey', ok + ['--x-cust-key', HOST1_CRT],
                 ['--x-cust-key', HOST1_CRT])
    expect_error('nokey', ['-i', KERNEL_F, '--no-verify'],
                 ['-k/--host-key-document'])
    expect_error('noimage', ['-k', HOST1_CRT, '--no-verify'], ['-i/--image'])
    expect_error('dumpboth', ok + ['--enable-dump', '--disable-dump'],
                 ['--enable-dump', '--disable-dump'])
    expect_error('twice', ok + ['-i', KERNEL_F], ['-i/--image', 'once'])
    expect_error('unknown', ok + ['--frobnicate'], ['--frobnicate'])
    expect_error('extra-arg', ok + ['stray'], ['stray'])
    notkernel = wr(out_path('notkernel'), bytes(0x20000))
    expect_error('notkernel', ['-k', HOST1_CRT, '-i', notkernel,
                               '--no-verify'], [notkernel, 'S390EP'])
    expect_error('small-kernel', ['-k', HOST1_CRT, '-i', PARM_F,
                                  '--no-verify'], [PARM_F, 'kernel'])
    long_parm = wr(out_path('long-parm'), b'x' * 896)
    small_max = wr(out_path('kmax'), fake_kernel(0x12000, 896))
    expect_error('cmdline-long', ['-k', HOST1_CRT, '-i', small_max,
                                  '-p', long_parm, '--no-verify'],
                 ['command line', '896', 'at most 895'])
    nul_parm = wr(out_path('nul-parm'), b'a=1\0b=2\n')
    expect_error('cmdline-nul', ok + ['-p', nul_parm], [nul_parm, 'NUL'])
    # image too big: a sparse 3 GiB ramdisk is refused before it is read
    big = out_path('big')
    with open(big, 'wb') as f:
        f.truncate(3 << 30)
    expect_error('toobig', ok + ['-r', big], [big, 'too big'])
    os.unlink(big)
    nodir = out_path('no-such-dir')
    expect_error('outdir', ok, ['-o/--output', nodir],
                 out=os.path.join(nodir, 'x.img'))
    # a failing run leaves an existing output file alone
    keep = wr(out_path('keep.img'), b'old contents')
    p = run('-k', p256, '-i', KERNEL_F, '--no-verify', '-o', keep)
    check(p.returncode == 1 and rd(keep) == b'old contents',
          ('failed run changed the existing output', p.returncode))
    check(not glob.glob(keep + '.tmp-*'), 'temporary file left behind')


def t_help_version():
    p = run('--help')
    check(p.returncode == 0 and '--host-key-document' in p.stdout,
          (p.returncode, p.stdout))
    for opt in ('--no-verify', '--x-tweak-seed', '--x-layout', '--hdr-key',
                '--enable-dump', '--parmfile', '--ramdisk'):
        check(opt in p.stdout, opt)
    p = run('-V')
    check(p.returncode == 0 and re.match(r'mk-se-image .*\d+\.\d+', p.stdout),
          (p.returncode, p.stdout))


def t_real_kernel():
    """The Debian kernel, a busybox initramfs and a cmdline fit and verify."""
    if not os.path.exists(VMLINUZ):
        return 'SKIP fixture %s missing (scripts/fixtures.sh)' % VMLINUZ
    sys.path.insert(0, os.path.join(TOP, 'tests', 'boot'))
    try:
        import guest
        initrd = guest.initramfs('s390x')
    except Exception as e:
        return 'SKIP no s390x initramfs: %s' % e
    cmdline = b'console=ttysclp0 panic=-1 quiet'
    parm = wr(out_path('real-parm'), cmdline + b'\n')
    path = build(out_path('real.img'), '-v', kernel=VMLINUZ, initrd=initrd,
                 parm=parm)
    r = read_image(path, [HOST1], 'genprotimg')
    check_fixed(r)
    check_inputs(r, rd(VMLINUZ), cmdline, rd(initrd))
    # the kernel's COMMAND_LINE area and the placement rules
    k = rd(VMLINUZ)
    check(k[0x10008:0x1000e] == b'S390EP', 'fixture is not an s390x kernel')
    check(r['comps']['initrd']['addr'] >= len(k), 'initrd overlaps the kernel')
    core_unpack(r, HOST1)


TESTS = [t_genprotimg_layout, t_pvimg_layout, t_deterministic, t_cck_flags,
         t_random_defaults, t_dump_flag, t_optional_components,
         t_core_crosscheck, t_errors, t_help_version, t_real_kernel]


def main():
    print('1..%d' % len(TESTS))
    failed = 0
    for i, t in enumerate(TESTS, 1):
        name = t.__name__[2:]
        try:
            res = t()
        except Exception:
            failed += 1
            print('not ok %d - %s' % (i, name))
            for line in traceback.format_exc().splitlines():
                print('# ' + line)
            continue
        if isinstance(res, str) and res.startswith('SKIP'):
            print('ok %d - %s # %s' % (i, name, res))
        else:
            print('ok %d - %s' % (i, name))
    shutil.rmtree(TMP, ignore_errors=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
