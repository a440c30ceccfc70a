#!/usr/bin/python3
# Tests of the POWER ESM blob builder tools/mk-esm-blob (TAP output).
#
# Every output is read by an independent reader written here from
# open-power/svm-tools (docs/README.ESM, svm_tool/esm/esm.py,
# esm_digest.py, svm/svm.py) with Python "cryptography" (OpenSSL) only:
# the FDT structure, each lockbox (RSA-OAEP-SHA256 unwrapped with the
# private key), digests-fdt and the attachments (AES-256-GCM), the cpio
# archive of the esmb-initrd; the kernel digest is compared with what
# binutils' objcopy -O binary -S makes of the ELF.  The ultravisor's core
# reads the same outputs through tests/core/esm-blob-dump.
#
# With swtpm installed, the whole key channel as on a PEF machine: pef-tpm
# provisions a TPM and prints its wrapping key, mk-esm-blob wraps for it,
# and the ultravisor's core unwraps lockbox-1 through that TPM (and not
# through another one).
#
# Usage: test_mk_esm_blob.py PATH/TO/mk-esm-blob PATH/TO/esm-blob-dump
#                            PATH/TO/pef-tpm
#
# SPDX-License-Identifier: GPL-2.0-or-later

import hashlib
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

TOOL = os.path.abspath(sys.argv[1])
DUMP = os.path.abspath(sys.argv[2])
PEF_TPM = os.path.abspath(sys.argv[3])
CACHE = os.environ.get('QEMU_IBM_CC_CACHE') or os.path.join(
    os.environ.get('XDG_CACHE_HOME') or os.path.expanduser('~/.cache'),
    'qemu-ibm-cc')
VMLINUX = os.path.join(CACHE, 'kernels', 'ppc64le-svm-guest', 'vmlinux')
# SLOF's RTAS stub: mr r4,r3; lis r3,0; ori r3,r3,0xf000; sc 1; blr
RTAS = bytes.fromhex('7c641b78 3c600000 6063f000 44000022 4e800020'
                     .replace(' ', ''))
OAEP = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()),
                    algorithm=hashes.SHA256(), label=None)


# ---- a minimal FDT reader (devicetree specification 0.4, chapter 5)

class Node:
    def __init__(self, name):
        self.name = name
        self.props = {}
        self.order = []
        self.children = []

    def child(self, name):
        for c in self.children:
            if c.name == name:
                return c
        raise KeyError(name)

    def path(self, p):
        n = self
        for part in p.strip('/').split('/'):
            n = n.child(part)
        return n

    def str(self, name):
        v = self.props[name]
        assert v.endswith(b'\0'), name
        return v[:-1].decode()


def fdt_read(b):
    magic, total, off_struct, off_strings, _, version, _, _, size_strings, \
        size_struct = struct.unpack('>10I', b[:40])
    assert magic == 0xd00dfeed and total == len(b) and version == 17
    strings = b[off_strings:off_strings + size_strings]
    pos = off_struct
    stack = []
    root = None
    while True:
        tok, = struct.unpack('>I', b[pos:pos + 4])
        pos += 4
        if tok == 1:
            end = b.index(b'\0', pos)
            node = Node(b[pos:end].decode())
            pos = (end + 4) & ~3
            if stack:
                stack[-1].children.append(node)
            else:
                root = node
            stack.append(node)
        elif tok == 3:
            ln, nameoff = struct.unpack('>II', b[pos:pos + 8])
            pos += 8
            name = strings[nameoff:strings.index(b'\0', nameoff)].decode()
            stack[-1].props[name] = b[pos:pos + ln]
            stack[-1].order.append(name)
            pos = (pos + ln + 3) & ~3
        elif tok == 2:
            stack.pop()
        elif tok == 4:
            continue
        elif tok == 9:
            assert not stack
            return root
        else:
            raise ValueError('bad FDT token %d' % tok)


def cpio_read(b):
    """[(name, mode, data)], offset after the 512-padded archive"""
    out, pos = [], 0
    while True:
        h = b[pos:pos + 110]
        assert h[:6] == b'070701', 'cpio magic at %d' % pos
        f = [int(h[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        mode, filesize, namesize = f[1], f[6], f[11]
        name = b[pos + 110:pos + 110 + namesize - 1].decode()
        data_at = (pos + 110 + namesize + 3) & ~3
        data = b[data_at:data_at + filesize]
        pos = (data_at + filesize + 3) & ~3
        if name == 'TRAILER!!!':
            end = (pos + 511) & ~511
            assert b[pos:end] == bytes(end - pos)
            return out, end
        out.append((name, mode, data))


def gcm_open(key, node):
    assert node.str('algorithm') == 'AES256-GCM'
    assert len(node.props['iv']) == 16 and len(node.props['mac']) == 16
    return AESGCM(key).decrypt(node.props['iv'],
                               node.props['ciphertext'] + node.props['mac'],
                               None)


# ---- the fixture directory

def write(path, data):
    with open(path, 'wb') as f:
        f.write(data)


def rsa_key(d, name, bits=2048):
    k = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    pem = k.public_key().public_bytes(
        serialization.Encoding.PEM,
        serialization.PublicFormat.SubjectPublicKeyInfo)
    write(os.path.join(d, name + '.pem'), pem)
    write(os.path.join(d, name + '.key'), k.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption()))
    return k, pem


ELF_SRC = r'''
const char msg[] = "rodata section";
int counter = 42;
static char big[4096];
__attribute__((section(".text.later"), aligned(65536)))
int later(void) { return counter + big[7]; }
void _start(void) { for (;;) later(); }
'''


def cross_elf(d, gcc, name):
    if not shutil.which(gcc):
        return None
    src = os.path.join(d, name + '.c')
    out = os.path.join(d, name)
    with open(src, 'w') as f:
        f.write(ELF_SRC)
    subprocess.run([gcc, '-O1', '-nostdlib', '-static', '-fno-pie', '-no-pie',
                    '-o', out, src], check=True)
    return out


def objcopy_bin(d, objcopy, elf):
    out = os.path.join(d, 'objcopy.bin')
    subprocess.run([objcopy, '-O', 'binary', '-S', elf, out], check=True)
    with open(out, 'rb') as f:
        return f.read()


class Env:
    def __init__(self, d):
        self.d = d
        self.origin, _ = rsa_key(d, 'origin')
        self.tpm, self.tpm_pem = rsa_key(d, 'tpm')
        self.other, _ = rsa_key(d, 'other', 3072)
        self.initramfs = os.urandom(70000)
        write(self.p('initramfs'), self.initramfs)
        write(self.p('f1'), b'first attachment\n')
        write(self.p('f2'), b'\x00\x01second')
        self.kernel = cross_elf(d, 'powerpc64le-linux-gnu-gcc', 'kernel-le')

    def p(self, name):
        return os.path.join(self.d, name)

    def opts(self, *extra):
        return ['--origin-pubkey', self.p('origin.pem'),
                '--origin-seckey', self.p('origin.key'),
                '-r', self.p('tpm.pem') + ':ultra_tpm',
                '-r', self.p('other.pem'),
                '-k', self.kernel, '-i', self.p('initramfs'),
                '-a', 'console=hvc0 svm=on',
                '-f', 'file-1=' + self.p('f1'), '-f', 'file-2=' + self.p('f2'),
                ] + list(extra)

    def run(self, args, ok=True):
        r = subprocess.run([TOOL] + args, cwd=self.d, capture_output=True)
        if ok and r.returncode:
            raise AssertionError('mk-esm-blob failed: %s' % r.stderr.decode())
        return r

    def read(self, name):
        with open(self.p(name), 'rb') as f:
            return f.read()


# ---- the tests

def t_blob_layout(e):
    e.run(e.opts('-b', 'blob.dtb', '--seed', 's1'))
    root = fdt_read(e.read('blob.dtb'))
    assert root.str('compatible') == 'ibm,esm'
    # svm-tool inserts each node in front of the earlier ones
    assert [c.name for c in root.children] == ['lockboxes', 'digest', 'file']
    lbs = root.child('lockboxes')
    assert [c.name for c in lbs.children] == \
        ['lockbox-2', 'lockbox-1', 'origin-lockbox']
    keys = set()
    for name, priv, pemfile, comment in (
            ('lockbox-1', e.tpm, 'tpm.pem', 'ultra_tpm'),
            ('lockbox-2', e.other, 'other.pem', ''),
            ('origin-lockbox', e.origin, 'origin.pem', '')):
        lb = lbs.child(name)
        assert lb.order == ['untrusted-comment', 'encrypted-symkey'], lb.order
        assert lb.str('untrusted-comment') == comment
        fp = lb.child('pubkey-fingerprint')
        assert fp.str('algorithm') == 'SHA256'
        assert fp.props['hash'] == hashlib.sha256(e.read(pemfile)).digest()
        wrapped = lb.props['encrypted-symkey']
        assert len(wrapped) == priv.key_size // 8
        keys.add(priv.decrypt(wrapped, OAEP))
    assert len(keys) == 1 and len(keys.pop()) == 32


def symkey(e, blob):
    root = fdt_read(blob)
    return root, e.tpm.decrypt(
        root.path('lockboxes/lockbox-1').props['encrypted-symkey'], OAEP)


def t_digests(e):
    e.run(e.opts('-b', 'blob.dtb'))
    root, key = symkey(e, e.read('blob.dtb'))
    sealed = root.path('digest/digests-fdt')
    assert sealed.order == ['algorithm', 'untrusted-comment', 'ciphertext',
                            'iv', 'mac'], sealed.order
    dig = fdt_read(gcm_open(key, sealed))
    assert dig.str('compatible') == 'ibm,esm'
    d = dig.child('digests')
    kbin = objcopy_bin(e.d, 'powerpc64le-linux-gnu-objcopy', e.kernel)
    assert d.str('algorithm') == 'SHA512'
    assert d.props['rtas'] == hashlib.sha512(RTAS).digest()
    assert d.props['kernel'] == hashlib.sha512(kbin).digest()
    assert d.props['kernel-size'] == struct.pack('>I', len(kbin))
    assert d.props['initrd'] == hashlib.sha512(e.initramfs).digest()
    assert d.props['bootargs'] == \
        hashlib.sha512(b'console=hvc0 svm=on').digest()


def t_attachments(e):
    e.run(e.opts('-b', 'blob.dtb'))
    root, key = symkey(e, e.read('blob.dtb'))
    ff = fdt_read(root.child('file').props['files-fdt'])
    assert ff.str('compatible') == 'ibm,esm-file'
    files = ff.child('files')
    assert [c.name for c in files.children] == ['file-2', 'file-1']
    assert gcm_open(key, files.child('file-1')) == e.read('f1')
    assert gcm_open(key, files.child('file-2')) == e.read('f2')
    # without attachments /file is empty, as svm-tool leaves it
    e.run(['--origin-pubkey', e.p('origin.pem'), '-r', e.p('tpm.pem'),
           '-k', e.kernel, '-i', e.p('initramfs'), '-a', 'svm=on',
           '-b', 'nofiles.dtb'])
    f = fdt_read(e.read('nofiles.dtb')).child('file')
    assert not f.props and not f.children


def t_esmb_initrd(e):
    e.run(e.opts('-b', 'my.dtb', '-o', 'esmb.img'))
    img = e.read('esmb.img')
    members, end = cpio_read(img)
    assert [(n, m) for n, m, _ in members] == [
        ('opt', 0o40755), ('opt/ibm', 0o40755), ('opt/ibm/pef', 0o40755),
        ('opt/ibm/pef/my.dtb', 0o100644)], members
    assert members[3][2] == e.read('my.dtb')
    assert end % 512 == 0 and img[end:] == e.initramfs


def t_core_reads(e):
    e.run(e.opts('-b', 'blob.dtb', '-o', 'esmb.img'))
    _, key = symkey(e, e.read('blob.dtb'))
    r = subprocess.run([DUMP, 'initrd', e.p('esmb.img'), '0x2000000',
                        key.hex(), 'file-1', 'file-2'],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    got = dict(l.split('=', 1) for l in r.stdout.split())
    kbin = objcopy_bin(e.d, 'powerpc64le-linux-gnu-objcopy', e.kernel)
    assert got['kernel'] == hashlib.sha512(kbin).hexdigest()
    assert int(got['kernel-size']) == len(kbin)
    assert got['rtas'] == hashlib.sha512(RTAS).hexdigest()
    assert got['initrd-digest-ok'] == '1'
    assert got['fingerprint'] == \
        hashlib.sha256(e.read('tpm.pem')).hexdigest()
    assert bytes.fromhex(got['file.file-1']) == e.read('f1')
    assert bytes.fromhex(got['file.file-2']) == e.read('f2')
    # another key: authentication fails
    bad = bytes([key[0] ^ 1]) + key[1:]
    r = subprocess.run([DUMP, 'blob', e.p('blob.dtb'), bad.hex()],
                       capture_output=True, text=True)
    assert r.returncode == 2 and 'authentication' in r.stdout, r.stdout


def t_seed(e):
    e.run(e.opts('-b', 'a.dtb', '-o', 'a.img', '--seed', 'x'))
    e.run(e.opts('-b', 'a.dtb', '-o', 'b.img', '--seed', 'x'))
    a = e.read('a.dtb')
    e.run(e.opts('-b', 'b.dtb', '--seed', 'x'))
    assert a == e.read('b.dtb') and e.read('a.img') == e.read('b.img')
    e.run(e.opts('-b', 'c.dtb', '--seed', 'y'))
    e.run(e.opts('-b', 'd.dtb'))
    e.run(e.opts('-b', 'e.dtb'))
    assert len({a, e.read('c.dtb'), e.read('d.dtb'), e.read('e.dtb')}) == 4


def t_yaml(e):
    # svm-tool's own sample configuration shape (tests/cfg_files)
    with open(e.p('svm_blob.yml'), 'w') as f:
        f.write('''---
# Create a ESM Blob
- origin:
    pubkey: "origin.pem"
    seckey: "origin.key"
- recipient:
    comment: "ultra_tpm"
    pubkey: "tpm.pem"
- recipient:
    pubkey: "other.pem"
- digest:
    args: "console=hvc0 svm=on"
    initramfs: "initramfs"
    kernel: "%s"
- file:
    name: "file-1"
    path: "f1"
- file:
    name: "file-2"
    path: "f2"
''' % e.kernel)
    e.run(['-y', 'svm_blob.yml', '-b', 'y.dtb', '--seed', 'z'])
    e.run(e.opts('-b', 'o.dtb', '--seed', 'z'))
    assert e.read('y.dtb') == e.read('o.dtb')


def t_kernel_binary(e):
    elfs = [(e.kernel, 'powerpc64le-linux-gnu-objcopy')]
    be = cross_elf(e.d, 'powerpc64-linux-gnu-gcc', 'kernel-be')
    if be:
        elfs.append((be, 'powerpc64-linux-gnu-objcopy'))
    if os.path.exists(VMLINUX):
        elfs.append((VMLINUX, 'powerpc64le-linux-gnu-objcopy'))
    for elf, objcopy in elfs:
        r = e.run(['--origin-pubkey', e.p('origin.pem'), '-r', e.p('tpm.pem'),
                   '-k', elf, '-i', e.p('initramfs'), '-a', 'svm=on',
                   '--print-digests'])
        got = dict(l.split(' ', 1) for l in r.stdout.decode().splitlines())
        kbin = objcopy_bin(e.d, objcopy, elf)
        assert got['kernel'] == hashlib.sha512(kbin).hexdigest(), elf
        assert int(got['kernel-size']) == len(kbin), elf
    print('# kernel digests compared with objcopy for %d ELF files' %
          len(elfs))


ERRORS = [
    (lambda e: ['--origin-pubkey', e.p('origin.pem'), '-k', e.kernel,
                '-i', e.p('initramfs'), '-a', 'svm=on', '-b', 'x'],
     'no recipient key given'),
    (lambda e: ['--origin-pubkey', e.p('origin.pem'), '-r', e.p('tpm.key'),
                '-k', e.kernel, '-i', e.p('initramfs'), '-a', 'svm=on',
                '-b', 'x'], 'not a public key'),
    (lambda e: ['--origin-pubkey', e.p('origin.pem'), '-r', e.p('tpm.pem'),
                '-k', e.p('initramfs'), '-i', e.p('initramfs'),
                '-a', 'svm=on', '-b', 'x'], 'not an ELF file'),
    (lambda e: ['--origin-pubkey', e.p('origin.pem'),
                '--origin-seckey', e.p('tpm.key'), '-r', e.p('tpm.pem'),
                '-k', e.kernel, '-i', e.p('initramfs'), '-a', 'svm=on',
                '-b', 'x'], 'does not belong to the origin public key'),
    (lambda e: e.opts('-f', '9bad=' + e.p('f1'), '-b', 'x'),
     'attachment name is invalid'),
    (lambda e: e.opts('-f', 'file-1=' + e.p('f2'), '-b', 'x'),
     'attachment file-1 given twice'),
    (lambda e: e.opts(), 'nothing to write'),
    (lambda e: e.opts('-k', e.kernel, '-b', 'x'),
     '-k/--kernel given more than once'),
    (lambda e: e.opts('-y', 'svm_blob.yml', '-b', 'x'),
     'exclude each other'),
    (lambda e: ['--origin-pubkey', e.p('origin.pem'), '-r', e.p('nothere'),
                '-k', e.kernel, '-i', e.p('initramfs'), '-a', 'svm=on',
                '-b', 'x'], 'nothere'),
]

YAML_ERRORS = [
    ('- origin:\n    pubkey: origin.pem\n', 'missing key: seckey'),
    ('- origin:\n    pubkey: origin.pem\n    seckey: origin.key\n'
     '- recipient:\n    pubkey: tpm.pem\n', 'missing digest entry'),
    ('- origin:\n    pubkey: origin.pem\n    seckey: origin.key\n'
     '    colour: red\n', 'unexpected key: colour'),
    ('- nonsense: {}\n', 'unknown entry: nonsense'),
    ('origin: 1\n', 'invalid format'),
    ('- [unclosed\n', 'svm_blob_bad.yml:'),
]


def t_errors(e):
    for make, msg in ERRORS:
        r = e.run(make(e), ok=False)
        err = r.stderr.decode()
        assert r.returncode == 1 and msg in err, (msg, err)
    for text, msg in YAML_ERRORS:
        with open(e.p('svm_blob_bad.yml'), 'w') as f:
            f.write(text)
        r = e.run(['-y', 'svm_blob_bad.yml', '-b', 'x'], ok=False)
        err = r.stderr.decode()
        assert r.returncode == 1 and msg in err, (msg, err)


def t_encrypted_seckey(e):
    pem = e.origin.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b'secret words'))
    write(e.p('origin-enc.key'), pem)
    args = ['--origin-pubkey', e.p('origin.pem'),
            '--origin-seckey', e.p('origin-enc.key'), '-r', e.p('tpm.pem'),
            '-k', e.kernel, '-i', e.p('initramfs'), '-a', 'svm=on',
            '-b', 'x.dtb']
    r = e.run(args, ok=False)
    assert r.returncode == 1 and b'--passphrase-file' in r.stderr, r.stderr
    write(e.p('pass'), b'secret words\n')
    e.run(args + ['--passphrase-file', e.p('pass')])


class Swtpm:
    """swtpm with a state directory and a command socket"""

    def __init__(self, d, name):
        self.dir = os.path.join(d, name)
        os.makedirs(self.dir, exist_ok=True)
        self.sock = os.path.join(self.dir, 'cmd.sock')
        subprocess.run(['swtpm', 'socket', '--tpm2',
                        '--tpmstate', 'dir=' + self.dir,
                        '--server', 'type=unixio,path=' + self.sock,
                        '--ctrl', 'type=unixio,path=%s/ctrl.sock' % self.dir,
                        '--pid', 'file=%s/pid' % self.dir,
                        '--flags', 'not-need-init,startup-clear', '--daemon'],
                       check=True)
        for _ in range(100):
            if os.path.exists(self.sock):
                break
            time.sleep(0.02)

    def stop(self):
        with open(os.path.join(self.dir, 'pid')) as f:
            os.kill(int(f.read()), signal.SIGTERM)


def pef_tpm(*args):
    return subprocess.run([PEF_TPM] + list(args), capture_output=True,
                          text=True)


def t_tpm_channel(e):
    if not shutil.which('swtpm'):
        print('# SKIP swtpm not installed')
        return
    tpm, other = Swtpm(e.d, 'tpm1'), Swtpm(e.d, 'tpm2')
    try:
        r = pef_tpm('public', '--tpm', tpm.sock)
        assert r.returncode == 1 and 'provision it first' in r.stderr, r
        r = pef_tpm('provision', '--tpm', tpm.sock, '-o', e.p('wk.pem'))
        assert r.returncode == 0, r.stderr
        pem = e.read('wk.pem')
        assert pem.startswith(b'-----BEGIN PUBLIC KEY-----\n'), pem
        # provisioning again (the next boot) keeps the key
        r = pef_tpm('provision', '--tpm', tpm.sock)
        assert r.returncode == 0 and r.stdout.encode() == pem, r
        assert pef_tpm('public', '--tpm', tpm.sock).stdout.encode() == pem
        assert pef_tpm('provision', '--tpm', other.sock).returncode == 0
        e.run(['--origin-pubkey', e.p('origin.pem'), '-r', e.p('wk.pem'),
               '-k', e.kernel, '-i', e.p('initramfs'), '-a', 'svm=on',
               '-f', 'file-1=' + e.p('f1'), '-b', 'tpm.dtb'])
        r = subprocess.run([DUMP, 'tpm', e.p('tpm.dtb'), tpm.sock, 'file-1'],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
        got = dict(l.split('=', 1) for l in r.stdout.split())
        assert got['initrd'] == hashlib.sha512(e.initramfs).hexdigest()
        assert got['fingerprint'] == hashlib.sha256(pem).hexdigest()
        assert bytes.fromhex(got['file.file-1']) == e.read('f1')
        # another machine's TPM cannot open it
        r = subprocess.run([DUMP, 'tpm', e.p('tpm.dtb'), other.sock],
                           capture_output=True, text=True)
        assert r.returncode == 2 and 'could not unwrap' in r.stdout, r.stdout
    finally:
        tpm.stop()
        other.stop()
    for args, msg in (([], 'one command expected'),
                      (['frobnicate', '--tpm', 'x'], "unknown command"),
                      (['public'], 'no TPM given'),
                      (['public', '--tpm', e.p('nothere')],
                       'cannot connect to the TPM')):
        r = pef_tpm(*args)
        assert r.returncode == 1 and msg in r.stderr, (args, r.stderr)


TESTS = [t_blob_layout, t_digests, t_attachments, t_esmb_initrd,
         t_core_reads, t_seed, t_yaml, t_kernel_binary, t_errors,
         t_encrypted_seckey, t_tpm_channel]


def main():
    print('1..%d' % len(TESTS))
    failed = 0
    with tempfile.TemporaryDirectory() as d:
        e = Env(d)
        for i, t in enumerate(TESTS, 1):
            try:
                t(e)
                print('ok %d %s' % (i, t.__name__))
            except Exception:
                failed += 1
                print('not ok %d %s' % (i, t.__name__))
                for line in traceback.format_exc().splitlines():
                    print('# ' + line)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
