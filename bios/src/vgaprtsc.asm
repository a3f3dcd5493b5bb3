; INT 10h AH=12h BL=20h, the alternate print screen (IBM VGA BIOS interface: "select alternate
; print screen routine", no return values): INT 05h becomes this ROM's print-screen routine,
; which prints as many rows as 40:84 says (the system BIOS's routine assumed 25), with 40:4A
; columns of the active page. Status in 50:00 as the PC BIOS keeps it (IBM PC/AT Technical
; Reference, INT 05h): 00h done without error, 01h printing (a nested call returns at once),
; FFh the printer reported an error. Included by vgabios.asm.

PRTSC_STATUS    equ     0x50            ; segment of the status byte (50:00)
LPT_ERRORS      equ     0x29            ; INT 17h status: time-out, I/O error, out of paper

; 12h BL=20h: hooks INT 05h.
alt_prtsc_select:
        push    ds
        push    0
        pop     ds
        mov     word [0x05 * 4], alt_prtsc
        mov     [0x05 * 4 + 2], cs
        pop     ds
        ret

alt_prtsc:
        sti
        push    ds
        pusha
        push    PRTSC_STATUS
        pop     ds
        cmp     byte [0], 1
        je      .busy
        mov     byte [0], 1
        push    BDA
        pop     ds
        mov     bh, [0x62]              ; active page
        mov     ah, 0x03
        int     0x10
        push    dx                      ; the cursor, put back at the end
        mov     cl, [0x84]
        inc     cl                      ; CL = rows
        mov     ch, [0x4A]              ; CH = columns
        call    .newline
        jnz     .error
        xor     dh, dh
.row:   xor     dl, dl
.col:   mov     ah, 0x02
        int     0x10
        mov     ah, 0x08
        int     0x10
        test    al, al
        jnz     .put
        mov     al, ' '
.put:   call    .print
        jnz     .error
        inc     dl
        cmp     dl, ch
        jb      .col
        call    .newline
        jnz     .error
        inc     dh
        cmp     dh, cl
        jb      .row
        xor     al, al
        jmp     .done
.error: mov     al, 0xFF
.done:  pop     dx
        push    ax
        mov     ah, 0x02
        int     0x10
        pop     ax
        push    PRTSC_STATUS
        pop     ds
        mov     [0], al
.busy:  popa
        pop     ds
        iret
; .print: AL to LPT1 through INT 17h; ZF clear when the printer reported an error. Keeps DX.
.print: push    dx
        xor     dx, dx
        mov     ah, 0x00
        int     0x17
        test    ah, LPT_ERRORS
        pop     dx
        ret
.newline:
        mov     al, 13
        call    .print
        jnz     .nl
        mov     al, 10
        call    .print
.nl:    ret
