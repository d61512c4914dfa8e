"""Stages 3 and 4, synthesize and master: segments -> cached speech -> encoded MP3 parts -> one episode."""
