; The project's own BIOS: first stage.
;
; This is the beginning of the firmware issue 6 grows into a full PC BIOS. Today it
; runs the part of POST that needs no devices: from the reset vector it sets up a
; real-mode stack, reports POST codes on port 0x80, checks that the CPU computes,
; prints a banner on the Bochs/QEMU debug console (port 0xE9), and halts with
; interrupts disabled, because the PC platform (PIC, PIT, disks, VGA) does not exist
; yet, so there is nothing to boot.
;
; Build: bios/build.sh (NASM from Debian's nasm package). The image is 64 KiB and is
; mapped at F0000-FFFFF and at the top of the 4 GiB space.

        cpu     686
        bits    16
        org     0

POST_PORT       equ     0x80
DEBUGCON_PORT   equ     0xE9

start:
        cli
        cld
        mov     al, 0x01                ; POST 01: CPU started in real mode
        out     POST_PORT, al

        xor     ax, ax
        mov     ss, ax
        mov     sp, 0x7000
        mov     ax, cs
        mov     ds, ax

        ; A quick self-check of the CPU: sum 1..100 with a loop must give 5050.
        xor     ax, ax
        mov     cx, 100
.sum:   add     ax, cx
        loop    .sum
        cmp     ax, 5050
        jne     cpu_failed

        mov     al, 0x02                ; POST 02: CPU self-check passed
        out     POST_PORT, al

        mov     si, banner
        call    print

        mov     al, 0x03                ; POST 03: nothing to boot
        out     POST_PORT, al
.halt:  hlt
        jmp     .halt

cpu_failed:
        mov     al, 0xEE
        out     POST_PORT, al
        mov     si, failed
        call    print
        jmp     start.halt

; print: writes the zero-terminated string at DS:SI to the debug console.
print:
        lodsb
        test    al, al
        jz      .done
        out     DEBUGCON_PORT, al
        jmp     print
.done:  ret

banner: db      "emu BIOS 0.1", 13, 10
        db      "CPU: i686 core running in real mode", 13, 10
        db      "No devices yet: the PC platform comes in a later version. Halting.", 13, 10, 0
failed: db      "emu BIOS: CPU self-check failed", 13, 10, 0

        times   0xFFF0 - ($ - $$) db 0xFF

; The reset vector at F000:FFF0.
reset:
        jmp     0xF000:start
        times   0x10000 - ($ - $$) db 0xFF
