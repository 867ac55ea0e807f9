"""What a rendered mix leaves behind: the cue sheet, the audio file with its tags, the picture of the set."""
