namespace prodcat {}
