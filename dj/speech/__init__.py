"""Speech for the DJ: its voice (TTS) and its ears (transcription of spoken requests)."""
