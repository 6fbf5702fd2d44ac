"""Ballot accounting's inputs (device counts) and its reports."""
