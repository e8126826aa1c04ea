"""Tests of the emulator (pushflow.emulator)."""
