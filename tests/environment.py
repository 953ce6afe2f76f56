"""Loaded by pytest with `-p tests.environment`, before pytest-django reads the settings.

The settings refuse to start without a SECRET_KEY (outside DEBUG); tests get a throwaway one.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
# The test client and the test servers speak plain http; tests of the redirect ask for it.
os.environ.setdefault("SECURE_SSL_REDIRECT", "False")
# Fixed keys for the encrypted fields (locks/crypto.py): never used outside tests.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "aW5ua2VlcGVyLXRlc3RzLWZpZWxkLWtleS0wMDAwMDA=")
os.environ.setdefault("FIELD_HASH_KEY", "innkeeper-tests-hash-key-not-for-production-0123456789")
