; The PS/2 pointing device: INT 15h C200h-C209h and the IRQ 12 handler (INT 74h), as the IBM
; PS/2 and PC BIOS Interface Technical Reference describes them ("Pointing Device BIOS
; Interface"; Ralf Brown's INT 15h C2xxh for C208h/C209h).
;
; State in the EBDA (segment at 40:0E), where IBM's BIOS keeps it: 22h the far pointer to the
; device handler, 26h flags 1 (bits 0-2: index of the next packet byte), 27h flags 2 (bits 0-2:
; package size - 1, bit 7: a handler is installed), 28h-2Fh the packet being gathered.
;
; Every command runs with interrupts off and the keyboard interface and both 8042 interrupts
; disabled in the controller's command byte, so the replies come back by polling without key
; codes or INT 74h in between; the command byte is restored afterwards with the auxiliary
; interface on and IRQ 12 enabled while the device is enabled (C200h BH=1).
;
; Not here: packet sizes other than the device's own are gathered as asked (C205h) but the
; handler always gets bytes 0-2 as status, X, Y and a zero Z (the IntelliMouse 4th byte is
; not passed on); POST does not probe for the mouse (the equipment word comes from CMOS 14h).

MOUSE_HANDLER   equ     0x22
MOUSE_FLAGS1    equ     0x26
MOUSE_FLAGS2    equ     0x27
MOUSE_PACKET    equ     0x28

; INT 15h AH=C2h, AL = the function. Returns CF clear and AH = 00h, or CF set and AH = 01h
; invalid function, 02h invalid input, 03h interface error, 04h resend, 05h no handler.
int15_mouse:
        push    ds
        push    si
        push    di
        push    ax
        mov     si, BDA_SEG
        mov     ds, si
        mov     ds, [0x0E]
        pop     ax
        cmp     al, 0x09
        ja      .bad_fn
        movzx   di, al
        shl     di, 1
        jmp     [cs:.table + di]
.table: dw      .enable, .reset, .rate, .resolution, .type, .init, .extended, .handler
        dw      .write, .read

.bad_fn:
        mov     ah, 0x01
        jmp     .err
.bad_in:
        mov     ah, 0x02
.err:   sti
        pop     di
        pop     si
        pop     ds
        stc
        jmp     svc_return
.ok:    sti
        pop     di
        pop     si
        pop     ds
        xor     ah, ah
        clc
        jmp     svc_return

; .finish: restores the 8042's command byte (SI), then returns the result of the command
; (CF, AH) to the caller.
.finish:
        pushf
        push    ax
        call    mouse_close
        pop     ax
        popf
        jc      .err
        jmp     .ok

.enable:                                ; BH = 0 disable, 1 enable
        cmp     bh, 1
        ja      .bad_in
        je      .on
        call    mouse_open
        and     si, ~0x02               ; IRQ 12 off
        mov     al, 0xF5
        call    mouse_cmd
        jmp     .finish
.on:    mov     ah, 0x05
        test    byte [MOUSE_FLAGS2], 0x80
        jz      .err
        call    mouse_open
        and     byte [MOUSE_FLAGS1], 0xF8
        mov     al, 0xF4
        call    mouse_cmd
        jc      .finish
        or      si, 0x02                ; IRQ 12 on, and unmasked at the slave 8259A
        in      al, 0xA1
        and     al, 0xEF
        out     0xA1, al
        in      al, 0x21
        and     al, 0xFB
        out     0x21, al
        xor     ah, ah
        jmp     .finish

.reset:                                 ; BH = device ID, BL = the reset reply (AAh)
        call    mouse_open
        call    mouse_reset
        jmp     .finish

.rate:                                  ; BH = 0-6: 10, 20, 40, 60, 80, 100, 200 reports/s
        cmp     bh, 6
        ja      .bad_in
        call    mouse_open
        mov     al, 0xF3
        call    mouse_cmd
        jc      .finish
        movzx   di, bh
        mov     al, [cs:mouse_rates + di]
        call    mouse_cmd
        jmp     .finish

.resolution:                            ; BH = 0-3: 1, 2, 4, 8 counts/mm
        cmp     bh, 3
        ja      .bad_in
        call    mouse_open
        mov     al, 0xE8
        call    mouse_cmd
        jc      .finish
        mov     al, bh
        call    mouse_cmd
        jmp     .finish

.type:                                  ; BH = device ID
        call    mouse_open
        mov     al, 0xF2
        call    mouse_cmd
        jc      .finish
        call    mouse_read
        jc      .ext_fail
        mov     bh, al
        jmp     .finish

.init:                                  ; BH = package size 1-8; then as a reset
        cmp     bh, 1
        jb      .bad_in
        cmp     bh, 8
        ja      .bad_in
        mov     al, bh
        dec     al
        and     byte [MOUSE_FLAGS2], 0xF8
        or      [MOUSE_FLAGS2], al
        call    mouse_open
        push    bx
        call    mouse_reset
        pop     bx
        jmp     .finish

.extended:                              ; BH = 0 status, 1 scaling 1:1, 2 scaling 2:1
        cmp     bh, 2
        ja      .bad_in
        call    mouse_open
        mov     al, 0xE6
        cmp     bh, 1
        je      .ext_cmd
        mov     al, 0xE7
        cmp     bh, 2
        je      .ext_cmd
        mov     al, 0xE9                ; status: BL status, CL resolution, DL sample rate
        call    mouse_cmd
        jc      .finish
        call    mouse_read
        jc      .ext_fail
        mov     bl, al
        call    mouse_read
        jc      .ext_fail
        mov     cl, al
        call    mouse_read
        jc      .ext_fail
        mov     dl, al
        xor     ah, ah
        jmp     .finish
.ext_cmd:
        call    mouse_cmd
        jmp     .finish
.ext_fail:
        mov     ah, 0x03
        stc
        jmp     .finish

.handler:                               ; ES:BX = the handler, 0000:0000 removes it
        cli
        mov     [MOUSE_HANDLER], bx
        mov     [MOUSE_HANDLER + 2], es
        and     byte [MOUSE_FLAGS2], 0x7F
        mov     ax, es
        or      ax, bx
        jz      .ok
        or      byte [MOUSE_FLAGS2], 0x80
        jmp     .ok

.write:                                 ; BL = a byte for the device (acknowledged)
        call    mouse_open
        mov     al, bl
        call    mouse_cmd
        jmp     .finish

.read:                                  ; BL, CL, DL = the next three bytes from the device
        cli
        call    mouse_read
        jc      .read_fail
        mov     bl, al
        call    mouse_read
        jc      .read_fail
        mov     cl, al
        call    mouse_read
        jc      .read_fail
        mov     dl, al
        jmp     .ok
.read_fail:
        mov     ah, 0x03
        jmp     .err

mouse_rates:    db      10, 20, 40, 60, 80, 100, 200

; mouse_reset: command FFh; the device answers FAh, AAh (self-test passed) and its ID.
; BL = AAh, BH = the ID; the device is then disabled with its defaults, so IRQ 12 goes off.
mouse_reset:
        and     si, ~0x02
        and     byte [MOUSE_FLAGS1], 0xF8
        mov     al, 0xFF
        call    mouse_cmd
        jc      .ret
        call    mouse_read
        jc      .fail
        mov     bl, al
        call    mouse_read
        jc      .fail
        mov     bh, al
        xor     ah, ah
        ret
.fail:  mov     ah, 0x03
        stc
.ret:   ret

; mouse_open: lets pending interrupts take any byte in the 8042's output buffer, then, with
; interrupts off, sets the command byte to: keyboard interface off, auxiliary interface on,
; no interrupts. SI = the command byte to restore. Keeps AX, BX, CX, DX.
mouse_open:
        push    ax
        push    cx
        mov     cx, 1000
.w:     cli
        in      al, 0x64
        test    al, 0x01
        jz      .empty
        sti
        nop
        nop
        loop    .w
        cli
        in      al, 0x60                ; a byte nobody takes (its interrupt is off): dropped
.empty: mov     al, 0x20
        call    kbc_command
        call    kbc_read
        movzx   si, al
        mov     al, 0x60
        call    kbc_command
        mov     ax, si
        and     al, 0xDC
        or      al, 0x10
        call    kbc_data
        pop     cx
        pop     ax
        ret

; mouse_close: writes the command byte SI with the auxiliary interface on. Keeps all registers.
mouse_close:
        push    ax
        mov     al, 0x60
        call    kbc_command
        mov     ax, si
        and     al, 0xDF
        call    kbc_data
        pop     ax
        ret

; mouse_cmd: sends AL to the device (8042 command D4h) and waits for its acknowledgement.
; CF clear, AH = 0 on FAh; CF set with AH = 04h on Resend (FEh), 03h on an error or time-out.
mouse_cmd:
        push    cx
        mov     cl, al
        mov     al, 0xD4
        call    kbc_command
        mov     al, cl
        call    kbc_data
        mov     cx, 16                  ; stream bytes still in flight are skipped
.r:     call    mouse_read
        jc      .fail
        cmp     al, 0xFA
        je      .ack
        cmp     al, 0xFE
        je      .resend
        cmp     al, 0xFC
        je      .fail
        loop    .r
.fail:  mov     ah, 0x03
        stc
        pop     cx
        ret
.resend:
        mov     ah, 0x04
        stc
        pop     cx
        ret
.ack:   xor     ah, ah
        pop     cx
        ret

; mouse_read: AL = the next byte from the auxiliary device; CF set after a time-out.
mouse_read:
        push    cx
        mov     cx, 0xFFFF
.w:     in      al, 0x64
        and     al, 0x21
        cmp     al, 0x21
        je      .got
        loop    .w
        pop     cx
        stc
        ret
.got:   in      al, 0x60
        pop     cx
        clc
        ret

; INT 74h (IRQ 12): gathers the device's packet in the EBDA; when it is complete and a handler
; is installed, far-calls it with the status byte, X, Y and a zero word pushed in that order
; (each as a word), and removes them after it returns. A first byte without bit 3 (always set
; in a packet's first byte) is dropped, so a lost byte cannot shift later packets.
int74_handler:
        pusha
        push    ds
        push    es
        in      al, 0x64
        and     al, 0x21
        cmp     al, 0x21
        jne     .eoi
        in      al, 0x60
        mov     bx, BDA_SEG
        mov     ds, bx
        mov     ds, [0x0E]
        mov     bl, [MOUSE_FLAGS1]
        and     bx, 0x07
        jnz     .store
        test    al, 0x08
        jz      .eoi
.store: mov     [MOUSE_PACKET + bx], al
        inc     bx
        mov     cl, [MOUSE_FLAGS2]
        and     cl, 0x07
        inc     cl
        and     byte [MOUSE_FLAGS1], 0xF8
        cmp     bl, cl
        jae     .packet
        or      [MOUSE_FLAGS1], bl
        jmp     .eoi
.packet:
        test    byte [MOUSE_FLAGS2], 0x80
        jz      .eoi
        movzx   ax, byte [MOUSE_PACKET]
        push    ax                      ; status
        mov     al, [MOUSE_PACKET + 1]
        push    ax                      ; X
        mov     al, [MOUSE_PACKET + 2]
        push    ax                      ; Y
        xor     ax, ax
        push    ax                      ; Z: 0
        sti
        call    far [MOUSE_HANDLER]
        cli
        add     sp, 8
.eoi:   cli
        mov     al, 0x20
        out     0xA0, al
        out     0x20, al
        pop     es
        pop     ds
        popa
        iret
