from readcast.cli import main

main()
