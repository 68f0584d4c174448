"""Periodic upkeep run by the scheduler: the retention purge of raw mail."""
