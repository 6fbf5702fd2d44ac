"""Risk-limiting audit statistics: sampling, assorters, risk measurement, sample sizes.

Pure math: no files, database, web or clock. References: Lindeman & Stark (2012),
Lindeman, Stark & Yates (BRAVO, 2012), Stark (super-simple, 2010), Stark
(SHANGRLA, 2020; ALPHA, 2023), Rivest (consistent sampling).
"""
