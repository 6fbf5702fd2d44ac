"""Authenticated publications (issue 18): publish, correct, withdraw, prove, verify.

``files`` keeps the published bytes, ``publish`` changes publications through
the log, ``views`` reads them for the pages and builds proof bundles, and
``verify`` is the part of ``votetrail verify`` that re-hashes the stored files.
"""
