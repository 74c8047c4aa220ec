from mnr.cli import main

main()
